/** `/openapi.json`, generated from the route table: paths, parameters, bodies, responses and required roles. */
import { rolesWith } from '../security/roles.js';
import { ERROR_RESPONSE } from './schemas.js';
import { ERROR_STATUSES, type RouteSpec } from './routes.js';

type Json = Record<string, unknown>;

export function openApiDocument(routes: readonly RouteSpec[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    if (route.method === 'OPTIONS') continue;
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: Json[] = [];
    for (const [where, schema] of [['path', route.params], ['query', route.querystring]] as const) {
      const props = (schema?.['properties'] ?? {}) as Record<string, Json>;
      const required = new Set((schema?.['required'] ?? []) as string[]);
      for (const [name, s] of Object.entries(props)) parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
    }
    const responses: Record<string, Json> = {};
    for (const [status, schema] of Object.entries(route.responses)) {
      const type = route.id === 'metrics' ? 'text/plain' : 'application/json';
      responses[status] = status === '204' ? { description: 'No content' } : { description: 'Success', content: { [type]: { schema } } };
    }
    const errors = route.access === 'public' ? [400, 404, 429, 500] : route.placeholder ? ERROR_STATUSES : ERROR_STATUSES.filter((s) => s !== 501);
    for (const status of errors) responses[String(status)] ??= { description: 'Error', content: { 'application/json': { schema: ERROR_RESPONSE } } };
    const operation: Json = {
      operationId: route.id,
      summary: route.summary,
      parameters,
      responses,
      security: route.access === 'public' ? [] : [{ bearer: [] }],
    };
    if (route.access !== 'public') {
      operation['x-vigil-permission'] = route.access.permission;
      operation['x-vigil-scope'] = route.access.scope;
      const roles = route.access.roles ?? rolesWith(route.access.permission);
      operation['x-vigil-roles'] = roles;
      operation['description'] = `Needs role ${roles.join(', ')} (${route.access.scope} scope).${route.placeholder ? ` Answers 501 until ${route.placeholder} is provided.` : ''}`;
    }
    if (route.body) operation['requestBody'] = { required: true, content: { 'application/json': { schema: route.body } } };
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Vigil admin API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Vigil API token (vigil_...) or an OIDC JWT' } } },
    paths,
  };
}
