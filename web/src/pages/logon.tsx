/**
 * The sign-in page: the logon form (the root or a RAM user, `name@alias`), then each step
 * the server asks for (MFA code or security key, a new password, binding a virtual MFA
 * device with its QR code), until a session is set.
 *
 * It is the first screen of every visit without a session, so it is built from plain React
 * elements and a small style sheet (signin.css): the component library of the signed-in pages
 * is loaded only once there is a session (main.tsx).
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiFailure, logonPost, qrCodeSrc, userSsoStatus, type NewMfaDevice, type Session } from '../api';
import { isIpHost, localhostUrl } from '../host';

interface Step {
  readonly Step: 'MFA' | 'ChangePassword' | 'BindMFA';
  readonly StepToken: string;
  readonly VirtualMFADevice?: NewMfaDevice;
  /** An MFA step the person may remember on this browser for 7 days (EnableSaveMFATicket). */
  readonly CanRememberMFA?: boolean;
}

type Submit = (path: string, body: Record<string, unknown>) => Promise<void>;

/** A failure phrased for the person at the sign-in form. */
function logonMessage(e: unknown): unknown {
  if (!(e instanceof ApiFailure)) return e;
  if (e.code === 'AuthenticationFail.Logon') {
    return new Error('The login name or the password is not correct, or this logon is locked or disabled.');
  }
  if (e.code === 'Forbidden.LoginNetwork') {
    return new Error('Your network address is not allowed to sign in to this account (LoginNetworkMasks).');
  }
  if (e.code === 'Throttling.User') return new Error(`Too many failed attempts. ${e.message}`);
  if (e.code === 'InvalidStepToken') return new Error('This step has expired. Please sign in again.');
  if (e.code === 'PasswordLogonDisabled.SsoEnabled') {
    return new Error(
      'This account signs its RAM users in with single sign-on: use "Sign in with SSO" below.',
    );
  }
  return e;
}

/** A failure as the server sent it (code, message, request id), or an error's message. */
function Failure({ error }: { error: unknown }) {
  if (!error) return null;
  if (!(error instanceof ApiFailure)) {
    return (
      <div className="si-alert si-alert-error" role="alert">
        {error instanceof Error ? error.message : String(error)}
      </div>
    );
  }
  return (
    <div className="si-alert si-alert-error" role="alert" data-testid="failure">
      <div>{`${error.code}: ${error.message}`}</div>
      {error.requestId ? <div className="si-alert-detail">Request {error.requestId}</div> : null}
    </div>
  );
}

function Note({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="si-alert si-alert-info" data-testid={testId}>
      {children}
    </div>
  );
}

/** A labelled control, its hint and its validation message (announced when it appears). */
function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={error ? 'si-field si-field-invalid' : 'si-field'}>
      <label className="si-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, 'aria-invalid': Boolean(error), 'aria-describedby': described || undefined })}
      {hint ? (
        <div className="si-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="si-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** A password box with a button that shows or hides what was typed. */
function PasswordInput({
  value,
  onChange,
  autoComplete,
  autoFocus,
  ...aria
}: {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby'?: string;
  value: string;
  onChange: (v: string) => void;
  autoComplete: string;
  autoFocus?: boolean;
}) {
  const [shown, setShown] = useState(false);
  return (
    <div className="si-password">
      <input
        {...aria}
        className="si-input"
        type={shown ? 'text' : 'password'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        spellCheck={false}
      />
      <button
        type="button"
        className="si-reveal"
        aria-controls={aria.id}
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}

function Button({
  children,
  primary,
  busy,
  disabled,
  onClick,
  type = 'button',
}: {
  children: ReactNode;
  primary?: boolean;
  busy?: boolean;
  disabled?: boolean;
  onClick?: () => void;
  type?: 'button' | 'submit';
}) {
  return (
    <button
      type={type}
      className={`si-button${primary ? ' si-button-primary' : ''}${busy ? ' si-busy' : ''}`}
      disabled={disabled}
      aria-busy={busy || undefined}
      // A click while the request runs does nothing (the button keeps its focus).
      onClick={(e) => {
        if (busy) {
          e.preventDefault();
          return;
        }
        onClick?.();
      }}
    >
      {busy ? <span className="si-spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

function Or() {
  return (
    <div className="si-or" aria-hidden="true">
      <span>or</span>
    </div>
  );
}

type Errors<K extends string> = Partial<Record<K, string>>;

/**
 * A small form state: values, the messages of the last validation, and a submit that validates
 * first, focusing the first invalid control.
 */
function useForm<K extends string>(
  initial: Record<K, string>,
  validate: (v: Record<K, string>) => Errors<K>,
) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Errors<K>>({});
  const form = useRef<HTMLFormElement>(null);
  const set = (k: K, v: string): void => {
    setValues((old) => ({ ...old, [k]: v }));
    if (errors[k]) setErrors((old) => ({ ...old, [k]: undefined }));
  };
  const onSubmit =
    (then: (v: Record<K, string>) => void) =>
    (e: FormEvent<HTMLFormElement>): void => {
      e.preventDefault();
      const found = validate(values);
      setErrors(found);
      if (Object.values(found).some(Boolean)) {
        form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
        return;
      }
      then(values);
    };
  return { values, errors, set, onSubmit, form };
}

/** SP-initiated single sign-on: the account's identity provider, when the account has one. */
function SsoSignIn({ setError }: { setError: (e: unknown) => void }) {
  const [busy, setBusy] = useState(false);
  const f = useForm({ Tenant: '' }, (v) => ({
    Tenant: v.Tenant.trim() === '' ? 'Enter the account alias or ID' : undefined,
  }));
  const start = async (tenant: string): Promise<void> => {
    setBusy(true);
    try {
      const status = await userSsoStatus(tenant.trim());
      if (status.Enabled && status.StartUrl) {
        window.location.assign(status.StartUrl);
        return;
      }
      // An account that does not exist reads the same: the page tells no one which exist.
      setError(new Error('Single sign-on is not enabled for this account.'));
    } catch (e) {
      setError(e);
    }
    setBusy(false);
  };
  return (
    <form
      ref={f.form}
      className="si-inline"
      name="sso"
      noValidate
      onSubmit={f.onSubmit((v) => void start(v.Tenant))}
    >
      <Field label="Account alias or ID" error={f.errors.Tenant}>
        {(p) => (
          <input
            {...p}
            className="si-input"
            value={f.values.Tenant}
            onChange={(e) => f.set('Tenant', e.target.value)}
            autoComplete="organization"
          />
        )}
      </Field>
      <Button type="submit" busy={busy}>
        Sign in with SSO
      </Button>
    </form>
  );
}

function PasswordForm({ busy, submit }: { busy: boolean; submit: Submit }) {
  const f = useForm({ LoginName: '', Password: '' }, (v) => ({
    LoginName: v.LoginName === '' ? 'Enter your login name' : undefined,
    Password: v.Password === '' ? 'Enter your password' : undefined,
  }));
  return (
    <form ref={f.form} name="logon" noValidate onSubmit={f.onSubmit((v) => void submit('/logon', v))}>
      <Field
        label="Login name"
        hint="root@<alias>.onaliyun.com, or <user>@<alias>.onaliyun.com (or @<your auxiliary domain>) for a RAM user"
        error={f.errors.LoginName}
      >
        {(p) => (
          <input
            {...p}
            className="si-input"
            value={f.values.LoginName}
            onChange={(e) => f.set('LoginName', e.target.value)}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
          />
        )}
      </Field>
      <Field label="Password" error={f.errors.Password}>
        {(p) => (
          <PasswordInput
            {...p}
            value={f.values.Password}
            onChange={(v) => f.set('Password', v)}
            autoComplete="current-password"
          />
        )}
      </Field>
      <Button type="submit" primary busy={busy}>
        Sign in
      </Button>
    </form>
  );
}

export function LogonPage({ onSession }: { onSession: (s: Session) => void }) {
  const [step, setStep] = useState<Step | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const outcome = (body: Record<string, unknown>): void => {
    setError(undefined);
    if (body.Session) {
      onSession(body.Session as Session);
      return;
    }
    if (body.Step) setStep(body as unknown as Step);
  };
  const submit: Submit = async (path, body) => {
    setBusy(true);
    try {
      outcome(await logonPost(path, body));
    } catch (e) {
      // A spent or expired step sends the person back to the form.
      if (
        e instanceof ApiFailure &&
        (e.code === 'InvalidStepToken' || e.code === 'CheckAuthenticationCodeFail')
      ) {
        if (e.code === 'InvalidStepToken' || step?.Step === 'MFA') setStep(undefined);
      }
      setError(logonMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="si-page">
      <section className="si-card" aria-labelledby="si-title">
        <h1 className="si-title" id="si-title">
          Sign in to Rampart
        </h1>
        <div className="si-body">
          {!step ? (
            <>
              <PasswordForm busy={busy} submit={submit} />
              <Or />
              <SsoSignIn setError={setError} />
            </>
          ) : step.Step === 'MFA' ? (
            <MfaStep
              step={step}
              busy={busy}
              submit={submit}
              outcome={outcome}
              setError={(e) => {
                setError(logonMessage(e));
                if (e instanceof ApiFailure && e.code === 'CheckAuthenticationCodeFail') setStep(undefined);
              }}
            />
          ) : step.Step === 'ChangePassword' ? (
            <ChangePasswordStep step={step} busy={busy} submit={submit} />
          ) : (
            <BindStep step={step} busy={busy} submit={submit} />
          )}
          {error ? (
            <div className="si-gap">
              <Failure error={error} />
            </div>
          ) : null}
        </div>
      </section>
    </main>
  );
}

function MfaStep({
  step,
  busy,
  submit,
  outcome,
  setError,
}: {
  step: Step;
  busy: boolean;
  submit: Submit;
  outcome: (body: Record<string, unknown>) => void;
  setError: (e: unknown) => void;
}) {
  const [remember, setRemember] = useState(false);
  const f = useForm({ AuthenticationCode: '' }, (v) => ({
    AuthenticationCode: /^\d{6}$/.test(v.AuthenticationCode)
      ? undefined
      : 'Enter the 6 digits of your MFA application',
  }));
  // Sent only when the account allows it: the server decides, the box only asks.
  const rememberField = step.CanRememberMFA ? { RememberMFA: remember } : {};
  return (
    <>
      <form
        ref={f.form}
        name="mfa"
        noValidate
        onSubmit={f.onSubmit(
          (v) =>
            void submit('/logon/mfa', {
              StepToken: step.StepToken,
              AuthenticationCode: v.AuthenticationCode,
              ...rememberField,
            }),
        )}
      >
        <Field
          label="MFA code"
          hint="The 6-digit code of your MFA application"
          error={f.errors.AuthenticationCode}
        >
          {(p) => (
            <input
              {...p}
              className="si-input"
              value={f.values.AuthenticationCode}
              onChange={(e) => f.set('AuthenticationCode', e.target.value)}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              autoFocus
            />
          )}
        </Field>
        {step.CanRememberMFA ? (
          <div className="si-field">
            <label className="si-check">
              <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
              Remember this device for 7 days
            </label>
          </div>
        ) : null}
        <Button type="submit" primary busy={busy}>
          Verify
        </Button>
      </form>
      <Or />
      <SecurityKeyStep
        stepToken={step.StepToken}
        extra={rememberField}
        onOutcome={outcome}
        onError={setError}
      />
    </>
  );
}

/**
 * WebAuthn binds a key to a host name (the relying party id), which cannot be an IP address:
 * on such a page the browser refuses every ceremony. Says so, with the localhost URL of the
 * same page when the address is a loopback one.
 */
function IpHostNotice() {
  const local = localhostUrl(location);
  return (
    <Note testId="webauthn-ip-host">
      <div className="si-alert-title">Security keys and passkeys need a host name</div>
      <div>
        This page was opened on the IP address {location.hostname}, which WebAuthn cannot use.{' '}
        {local ? (
          <>
            Open <a href={local}>{local}</a> instead.
          </>
        ) : (
          'Open the console by its host name (over HTTPS) instead.'
        )}
      </div>
    </Note>
  );
}

/** The MFA step answered with a security key or passkey instead of a code. */
function SecurityKeyStep({
  stepToken,
  extra,
  onOutcome,
  onError,
}: {
  stepToken: string;
  /** More fields of the MFA step (RememberMFA). */
  extra: Record<string, unknown>;
  onOutcome: (body: Record<string, unknown>) => void;
  onError: (e: unknown) => void;
}) {
  const [busy, setBusy] = useState(false);
  const use = async (): Promise<void> => {
    setBusy(true);
    try {
      // The WebAuthn client is loaded only by those who use it.
      const [{ Options }, { startAuthentication }] = await Promise.all([
        logonPost('/logon/webauthn/options', { StepToken: stepToken }),
        import('@simplewebauthn/browser'),
      ]);
      const answer = await startAuthentication({ optionsJSON: Options as never });
      onOutcome(await logonPost('/logon/mfa', { StepToken: stepToken, WebAuthnResponse: answer, ...extra }));
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };
  const ip = isIpHost(location.hostname);
  return (
    <div className="si-stack">
      <Button onClick={() => void use()} busy={busy} disabled={ip}>
        Use a security key or passkey
      </Button>
      {ip ? <IpHostNotice /> : null}
    </div>
  );
}

function ChangePasswordStep({ step, busy, submit }: { step: Step; busy: boolean; submit: Submit }) {
  const f = useForm({ NewPassword: '', Confirm: '' }, (v) => ({
    NewPassword: v.NewPassword === '' ? 'Enter a new password' : undefined,
    Confirm:
      v.Confirm === ''
        ? 'Confirm the new password'
        : v.Confirm !== v.NewPassword
          ? 'The two passwords differ'
          : undefined,
  }));
  return (
    <form
      ref={f.form}
      name="change-password"
      noValidate
      onSubmit={f.onSubmit(
        (v) => void submit('/logon/password', { StepToken: step.StepToken, NewPassword: v.NewPassword }),
      )}
    >
      <Note>You must set a new password before you continue.</Note>
      <div className="si-gap">
        <Field label="New password" error={f.errors.NewPassword}>
          {(p) => (
            <PasswordInput
              {...p}
              value={f.values.NewPassword}
              onChange={(v) => f.set('NewPassword', v)}
              autoComplete="new-password"
              autoFocus
            />
          )}
        </Field>
      </div>
      <Field label="Confirm the new password" error={f.errors.Confirm}>
        {(p) => (
          <PasswordInput
            {...p}
            value={f.values.Confirm}
            onChange={(v) => f.set('Confirm', v)}
            autoComplete="new-password"
          />
        )}
      </Field>
      <Button type="submit" primary busy={busy}>
        Set the password
      </Button>
    </form>
  );
}

function BindStep({ step, busy, submit }: { step: Step; busy: boolean; submit: Submit }) {
  const device = step.VirtualMFADevice;
  if (!device) {
    return (
      <div className="si-stack">
        <Note>Your account requires an MFA device. Bind one to continue.</Note>
        <Button
          primary
          busy={busy}
          onClick={() => void submit('/logon/bind-mfa', { StepToken: step.StepToken })}
        >
          Create an MFA device
        </Button>
      </div>
    );
  }
  return (
    <MfaBinding
      device={device}
      busy={busy}
      onCodes={(code1, code2) =>
        void submit('/logon/bind-mfa', {
          StepToken: step.StepToken,
          AuthenticationCode1: code1,
          AuthenticationCode2: code2,
        })
      }
    />
  );
}

/** The secret of a new device, with a button that copies it. */
function Secret({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 3000);
    } catch {
      // No clipboard (an insecure page, a refusal): the secret stays selectable.
    }
  };
  return (
    <>
      <code className="si-code" data-testid="mfa-secret">
        {value}
      </code>{' '}
      <button type="button" className="si-link" onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
      <span className="si-visually-hidden" aria-live="polite">
        {copied ? 'The secret is copied.' : ''}
      </span>
    </>
  );
}

/** The QR code and secret of a new virtual MFA device, and the two consecutive codes. */
function MfaBinding({
  device,
  busy,
  onCodes,
}: {
  device: NewMfaDevice;
  busy: boolean;
  onCodes: (code1: string, code2: string) => void;
}) {
  const png = qrCodeSrc(device);
  const sixDigits = (v: string): string | undefined => (/^\d{6}$/.test(v) ? undefined : '6 digits');
  const f = useForm({ AuthenticationCode1: '', AuthenticationCode2: '' }, (v) => ({
    AuthenticationCode1: sixDigits(v.AuthenticationCode1),
    AuthenticationCode2: sixDigits(v.AuthenticationCode2),
  }));
  return (
    <form
      ref={f.form}
      name="bind-mfa"
      noValidate
      onSubmit={f.onSubmit((v) => onCodes(v.AuthenticationCode1, v.AuthenticationCode2))}
    >
      <p className="si-text">
        Scan this QR code with an authenticator application, then enter two consecutive codes.
      </p>
      <div className="si-qr">
        <img src={png} alt="QR code of the new MFA device" width={200} height={200} data-testid="mfa-qr" />
      </div>
      <p className="si-text">
        Or enter the secret by hand: <Secret value={device.Base32StringSeed} />
      </p>
      <div className="si-row">
        <Field label="First code" error={f.errors.AuthenticationCode1}>
          {(p) => (
            <input
              {...p}
              className="si-input"
              value={f.values.AuthenticationCode1}
              onChange={(e) => f.set('AuthenticationCode1', e.target.value)}
              inputMode="numeric"
              autoComplete="off"
              maxLength={6}
            />
          )}
        </Field>
        <Field label="Next code" error={f.errors.AuthenticationCode2}>
          {(p) => (
            <input
              {...p}
              className="si-input"
              value={f.values.AuthenticationCode2}
              onChange={(e) => f.set('AuthenticationCode2', e.target.value)}
              inputMode="numeric"
              autoComplete="off"
              maxLength={6}
            />
          )}
        </Field>
      </div>
      <Button type="submit" primary busy={busy}>
        Bind the device
      </Button>
    </form>
  );
}
