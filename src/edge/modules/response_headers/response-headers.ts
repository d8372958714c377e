import type { HeadersPlan } from '../../../config/modules/plans.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { removeRawHeader, setRawHeader } from '../../pipeline/raw-headers.ts';
import { asHeaderBytes, renderHeader } from '../header-values.ts';

/** `response_headers`: removes, then sets, headers on the response the client gets. */
export function responseHeadersModule(plan: HeadersPlan): HttpModule {
  const add = plan.add.map(([name, template]) => [name, asHeaderBytes(template)] as const);
  return {
    name: 'response_headers',
    async handle(ex, next) {
      const values = add.map(([name, template]) => [name, renderHeader(template, ex)] as const);
      ex.shapeResponse((head) => {
        for (const name of plan.remove) removeRawHeader(head.headers, name);
        for (const [name, value] of values) setRawHeader(head.headers, name, value);
        return undefined;
      });
      return next();
    },
  };
}
