import ramChangePassword from '../../ram/login-profiles/change-password.js';

/** A RAM user changes its own console password: the same action as RAM's, served under IMS. */
export default { ...ramChangePassword, service: 'ims' as const };
