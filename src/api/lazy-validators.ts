/**
 * Request validators compiled on first use. Fastify compiles the JSON Schema of every route
 * with Ajv when the server gets ready: for this API's hundred-odd routes that was most of
 * the edge's start-up (issue 13). Here each route gets a validator that compiles its schema
 * the first time a request needs it, with Fastify's own compiler and options, so what is
 * accepted and the errors reported are unchanged. `compileAll` compiles every one now (tests
 * use it to prove every schema compiles).
 */
import AjvCompiler from '@fastify/ajv-compiler';

type Factory = ReturnType<typeof AjvCompiler>;
type RouteCompiler = ReturnType<Factory>;
type Validate = ReturnType<RouteCompiler>;

export interface LazyValidators {
  /** Fastify's `schemaController.compilersFactory.buildValidator`. */
  buildValidator: Factory;
  /** Compiles every validator not compiled yet; throws what Ajv throws for a bad schema. */
  compileAll(): void;
}

export function lazyValidators(): LazyValidators {
  const factory = AjvCompiler();
  const pending = new Set<() => Validate>();
  const buildValidator = ((externalSchemas, options) => {
    const compileRoute = factory(externalSchemas, options);
    return (route: Parameters<RouteCompiler>[0]) => {
      let compiled: Validate | undefined;
      const compile = (): Validate => {
        if (!compiled) {
          compiled = compileRoute(route);
          pending.delete(compile);
        }
        return compiled;
      };
      pending.add(compile);
      // Fastify reads `errors` off the function it called, as Ajv's validators carry them.
      const validate = ((data: unknown) => {
        const real = compile();
        const valid = real(data);
        validate.errors = real.errors;
        return valid;
      }) as Validate;
      return validate;
    };
  }) as Factory;
  return {
    buildValidator,
    compileAll: () => {
      for (const compile of [...pending]) compile();
    },
  };
}
