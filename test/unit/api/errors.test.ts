import { describe, expect, it } from '@jest/globals';
import { BadRequestError, errorResponse } from '../../../src/api/errors.js';
import { TargetVersionSchema } from '../../../src/api/schemas.js';
import { ConflictError, IllegalTransitionError, InvalidRequestError, NotFoundError } from '../../../src/domain/errors.js';
import { ClusterUnreachableError } from '../../../src/kube/errors.js';

describe('errors', () => {
  describe('errorResponse', () => {
    it('maps each reason to its documented status, with code, message and remedy', () => {
      const cases: [unknown, number, string][] = [
        [new InvalidRequestError('skips a minor', 'go one minor at a time'), 400, 'InvalidRequest'],
        [new BadRequestError('MalformedJson', 'not JSON', 'send JSON'), 400, 'MalformedJson'],
        [new NotFoundError('no cluster x'), 404, 'NotFound'],
        [new ConflictError('already active', 'wait'), 409, 'Conflict'],
        [new IllegalTransitionError('paused', 'pausing'), 409, 'IllegalTransition'],
        [new ClusterUnreachableError('https://k:6443', 'ECONNREFUSED'), 422, 'ClusterUnreachable'],
      ];
      for (const [err, status, code] of cases) {
        const out = errorResponse(err);
        expect([out.statusCode, out.body.error.code, out.fault]).toEqual([status, code, false]);
        expect(out.body.error.message.length).toBeGreaterThan(0);
        expect(out.body.error.remedy?.length).toBeGreaterThan(0);
      }
    });

    it('names unknown fields of a refused body', () => {
      const parsed = TargetVersionSchema.safeParse({ targetVersion: '1.31.2', force: true });
      const out = errorResponse(parsed.error);
      expect([out.statusCode, out.body.error.code]).toEqual([400, 'ValidationFailed']);
      expect(out.body.error.message).toContain('unknown field(s) force');
    });

    it('hides the detail of an unexpected error behind a 500 (it may quote a secret)', () => {
      const out = errorResponse(new Error('token abc123 rejected'));
      expect([out.statusCode, out.body.error.code, out.fault]).toEqual([500, 'InternalError', true]);
      expect(JSON.stringify(out.body)).not.toContain('abc123');
    });
  });
});
