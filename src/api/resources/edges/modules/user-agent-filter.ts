import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import { defineModule, Enabled, enabledOf, fieldPath, StringList, type StoredModule } from './module-spec.ts';
import { compileRe2 } from '../../../../packages/re2.ts';

interface UserAgentFilterModule extends StoredModule {
  /** RE2 expressions; a matching User-Agent is let through even if `deny` matches. */
  allow: string[];
  /** RE2 expressions; a matching User-Agent is refused. */
  deny: string[];
}

function patterns(list: string[] | null | undefined, field: string): string[] {
  for (const [i, source] of (list ?? []).entries()) {
    try {
      // RE2, as the edge runs them (and ngrok): `(?i)` is fine, lookaround and backreferences are not.
      compileRe2(source);
    } catch (err) {
      const why = (err as Error).message;
      throw invalid(ErrorCode.ERR_NGROK_215, `${field}[${i}]`, `"${source}" is not a valid RE2 expression: ${why}`);
    }
  }
  return list ?? [];
}

/** `user_agent_filter` (extra): allow or deny by User-Agent regular expressions. */
export const userAgentFilterModule = defineModule({
  name: 'user_agent_filter',
  schema: Type.Object({ enabled: Enabled, allow: StringList, deny: StringList }),
  normalize: (body, _ctx, field): UserAgentFilterModule => ({
    enabled: enabledOf(body),
    allow: patterns(body.allow, fieldPath(field, 'allow')),
    deny: patterns(body.deny, fieldPath(field, 'deny')),
  }),
});
