import type { HeadersPlan } from '../../../config/modules/plans.ts';
import type { HttpModule } from '../../pipeline/http-module.ts';
import { asHeaderBytes, renderHeader } from '../header-values.ts';

/** `request_headers`: removes, then sets, headers on the request the service sees (only the service sees them). */
export function requestHeadersModule(plan: HeadersPlan): HttpModule {
  const add = plan.add.map(([name, template]) => [name, asHeaderBytes(template)] as const);
  return {
    name: 'request_headers',
    async handle(ex, next) {
      const values = add.map(([name, template]) => [name, renderHeader(template, ex)] as const);
      ex.editUpstreamHeaders((headers) => {
        for (const name of plan.remove) delete headers[name];
        for (const [name, value] of values) headers[name] = value;
      });
      return next();
    },
  };
}
