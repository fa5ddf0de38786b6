import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ApiError, apiError } from '../../../src/errors.js';
import { errorResponse, successResponse } from '../../../src/api/protocol/response.js';

const RID = '7463B73D-35CC-4D19-A010-6B8D65D242EF';

describe('successResponse', () => {
  it('answers JSON with RequestId and the request id header', () => {
    const r = successResponse(RID, 'JSON', 'GetUser', { User: { UserName: 'alice' } });
    expect(r.status).toBe(200);
    expect(r.headers).toEqual({ 'content-type': 'application/json;charset=utf-8', 'x-acs-request-id': RID });
    expect(JSON.parse(r.body)).toEqual({ RequestId: RID, User: { UserName: 'alice' } });
  });

  it('answers XML under <ActionResponse>', () => {
    const r = successResponse(RID, 'XML', 'GetUser', { User: { UserName: 'alice' } });
    expect(r.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(new XMLParser().parse(r.body)).toEqual({
      '?xml': '',
      GetUserResponse: { RequestId: RID, User: { UserName: 'alice' } },
    });
  });
});

describe('XML answers', () => {
  it('replace characters XML cannot carry, which only echoed input brings', () => {
    const r = errorResponse(
      apiError('EntityNotExist.User', 'The user does not exist: a\u0000b\u0001c\td\ud800e\uffff.'),
      { requestId: RID, format: 'XML', service: 'ram' },
    );
    for (const c of ['\u0000', '\u0001', '\ud800', '\uffff']) expect(r.body).not.toContain(c);
    const parsed = new XMLParser().parse(r.body) as { Error: { Message: string } };
    expect(parsed.Error.Message).toBe('The user does not exist: a\ufffdb\ufffdc\td\ufffde\ufffd.');
  });
});

describe('errorResponse', () => {
  it('writes the JSON envelope with HostId and Recommend of the service', () => {
    const r = errorResponse(apiError('EntityNotExist.User', 'The user does not exist: bob.'), {
      requestId: RID,
      format: 'JSON',
      service: 'sts',
    });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({
      RequestId: RID,
      HostId: 'sts.aliyuncs.com',
      Code: 'EntityNotExist.User',
      Message: 'The user does not exist: bob.',
      Recommend: `https://api.aliyun.com/troubleshoot?q=EntityNotExist.User&product=Sts&requestId=${RID}`,
    });
  });

  it('writes the XML envelope as <Error> with the exact content type, AccessDeniedDetail included', () => {
    const detail = {
      AuthAction: 'ram:ListUsers',
      AuthPrincipalType: 'SubUser',
      AuthPrincipalDisplayName: '200000000000001',
      AuthPrincipalOwnerId: '1000000000000001',
      PolicyType: 'AccountLevelIdentityBasedPolicy',
      NoPermissionType: 'ImplicitDeny' as const,
      EncodedDiagnosticMessage: 'abc=',
    };
    const r = errorResponse(apiError('NoPermission', 'You are not authorized.', detail), {
      requestId: RID,
      format: 'XML',
      service: 'ram',
    });
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('text/xml;charset=utf-8');
    const parsed = new XMLParser({ parseTagValue: false }).parse(r.body) as {
      Error: Record<string, unknown>;
    };
    expect(parsed.Error).toEqual({
      RequestId: RID,
      HostId: 'ram.aliyuncs.com',
      Code: 'NoPermission',
      Message: 'You are not authorized.',
      Recommend: `https://api.aliyun.com/troubleshoot?q=NoPermission&product=Ram&requestId=${RID}`,
      AccessDeniedDetail: detail,
    });
  });

  it('hides anything that is not an ApiError behind InternalError 500', () => {
    const r = errorResponse(new Error('secret detail from the database'), {
      requestId: RID,
      format: 'JSON',
      service: 'ram',
    });
    expect(r.status).toBe(500);
    expect(r.body).not.toContain('secret detail');
    expect(JSON.parse(r.body)).toMatchObject({
      Code: 'InternalError',
      Message: 'The request processing has failed due to some unknown error.',
      RequestId: RID,
    });
  });

  it('keeps the status of an ApiError outside the catalogue', () => {
    const r = errorResponse(new ApiError('Custom', 418, 'x'), {
      requestId: RID,
      format: 'JSON',
      service: undefined,
    });
    expect(r.status).toBe(418);
    expect(JSON.parse(r.body).HostId).toBe('ram.aliyuncs.com');
  });
});
