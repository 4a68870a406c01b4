// All-purpose clusters (API 2.1), MLflow experiments, Unity Catalog registered models and model serving
// endpoints: the calls dbx-ts' deploy adapters make, with Databricks' identities (cluster and experiment ids,
// model full names, endpoint names) and errors. Clusters start RUNNING at once; endpoint configs apply at once.
import { alreadyExists, doesNotExist, invalidParameter } from '../http/api-error.ts';
import type { JsonObject } from '../http/json.ts';
import type { Route } from '../http/router.ts';
import { nextHexId } from '../ids.ts';
import type { ComputeMlState, WorkspaceState } from '../state.ts';
import { type HandlerContext, callerOf, ok, optArray, optObject, optString, requireQuery, requireString } from './context.ts';

function area(state: WorkspaceState): ComputeMlState {
  state.computeMl ??= { clusters: {}, experiments: {}, registeredModels: {}, servingEndpoints: {} };
  return state.computeMl;
}

const CLUSTER_ID = /^[0-9]{4}-[0-9]{6}-[a-z0-9]{8}$/;

// --- clusters -------------------------------------------------------------------------------------

function requireCluster(state: WorkspaceState, id: string): JsonObject {
  const cluster = area(state).clusters[id];
  if (!cluster) throw invalidParameter(`Cluster ${id} does not exist`);
  return cluster;
}

function clusterSpec(body: JsonObject): JsonObject {
  const spec = structuredClone(body);
  delete spec['cluster_id'];
  if (spec['spark_version'] === undefined) throw invalidParameter('Missing required field: spark_version');
  return spec;
}

function createCluster(ctx: HandlerContext) {
  const n = nextHexId(ctx.state).slice(-8);
  const id = `0101-000000-${n}`;
  area(ctx.state).clusters[id] = { ...clusterSpec(ctx.body), cluster_id: id, state: 'RUNNING', creator_user_name: callerOf(ctx).userName };
  return ok({ cluster_id: id });
}

function editCluster(ctx: HandlerContext) {
  const id = requireString(ctx.body, 'cluster_id');
  const current = requireCluster(ctx.state, id);
  area(ctx.state).clusters[id] = { ...clusterSpec(ctx.body), cluster_id: id, state: current['state'] ?? 'RUNNING', creator_user_name: current['creator_user_name'] ?? '' };
  return ok();
}

function getCluster(ctx: HandlerContext) {
  const id = requireQuery(ctx.query, 'cluster_id');
  if (!CLUSTER_ID.test(id) && !area(ctx.state).clusters[id]) throw invalidParameter(`Cluster ${id} does not exist`);
  return ok(requireCluster(ctx.state, id));
}

function listClusters(ctx: HandlerContext) {
  return ok({ clusters: Object.values(area(ctx.state).clusters) });
}

function deleteCluster(ctx: HandlerContext) {
  const id = requireString(ctx.body, 'cluster_id');
  requireCluster(ctx.state, id);
  delete area(ctx.state).clusters[id];
  return ok();
}

// --- MLflow experiments --------------------------------------------------------------------------

function requireExperiment(state: WorkspaceState, id: string): JsonObject {
  const e = area(state).experiments[id];
  if (!e) throw doesNotExist(`Node ID ${id} does not exist.`);
  return e;
}

function createExperiment(ctx: HandlerContext) {
  const name = requireString(ctx.body, 'name');
  if (!name.startsWith('/')) throw invalidParameter(`Got an invalid experiment name '${name}': experiment names are absolute workspace paths.`);
  const experiments = area(ctx.state).experiments;
  if (Object.values(experiments).some((e) => e['name'] === name && e['lifecycle_stage'] === 'active')) {
    throw alreadyExists(`Experiment '${name}' already exists.`);
  }
  const id = String(ctx.state.counters.object++);
  const artifact = optString(ctx.body, 'artifact_location') ?? `dbfs:/databricks/mlflow-tracking/${id}`;
  experiments[id] = { experiment_id: id, name, artifact_location: artifact, lifecycle_stage: 'active', tags: optArray(ctx.body, 'tags') as JsonObject[] };
  return ok({ experiment_id: id });
}

function getExperiment(ctx: HandlerContext) {
  return ok({ experiment: requireExperiment(ctx.state, requireQuery(ctx.query, 'experiment_id')) });
}

function getExperimentByName(ctx: HandlerContext) {
  const name = requireQuery(ctx.query, 'experiment_name');
  const found = Object.values(area(ctx.state).experiments).find((e) => e['name'] === name && e['lifecycle_stage'] === 'active');
  if (!found) throw doesNotExist(`Could not find experiment with name ${name}`);
  return ok({ experiment: found });
}

function updateExperiment(ctx: HandlerContext) {
  const e = requireExperiment(ctx.state, requireString(ctx.body, 'experiment_id'));
  const newName = optString(ctx.body, 'new_name');
  if (newName !== undefined) e['name'] = newName;
  return ok();
}

function setExperimentTag(ctx: HandlerContext) {
  const e = requireExperiment(ctx.state, requireString(ctx.body, 'experiment_id'));
  const key = requireString(ctx.body, 'key');
  const tags = ((e['tags'] as JsonObject[] | undefined) ?? []).filter((t) => t['key'] !== key);
  e['tags'] = [...tags, { key, value: optString(ctx.body, 'value') ?? '' }];
  return ok();
}

function deleteExperiment(ctx: HandlerContext) {
  requireExperiment(ctx.state, requireString(ctx.body, 'experiment_id'))['lifecycle_stage'] = 'deleted';
  return ok();
}

// --- Unity Catalog registered models -------------------------------------------------------------

function requireModel(state: WorkspaceState, fullName: string): JsonObject {
  const m = area(state).registeredModels[fullName];
  if (!m) throw doesNotExist(`Registered model '${fullName}' does not exist.`);
  return m;
}

function createModel(ctx: HandlerContext) {
  const name = requireString(ctx.body, 'name');
  const catalog = requireString(ctx.body, 'catalog_name');
  const schema = requireString(ctx.body, 'schema_name');
  const fullName = `${catalog}.${schema}.${name}`;
  const models = area(ctx.state).registeredModels;
  if (models[fullName]) throw alreadyExists(`Registered model '${fullName}' already exists.`);
  const comment = optString(ctx.body, 'comment');
  const model: JsonObject = {
    name,
    catalog_name: catalog,
    schema_name: schema,
    full_name: fullName,
    owner: callerOf(ctx).userName,
    storage_location: optString(ctx.body, 'storage_location') ?? `s3://metastore/models/${fullName}`,
    created_at: ctx.now,
    updated_at: ctx.now,
    ...(comment !== undefined ? { comment } : {}),
  };
  models[fullName] = model;
  return ok(model);
}

function updateModel(ctx: HandlerContext) {
  const m = requireModel(ctx.state, ctx.params['full_name']!);
  const comment = optString(ctx.body, 'comment');
  if (comment !== undefined) m['comment'] = comment;
  m['updated_at'] = ctx.now;
  return ok(m);
}

function deleteModel(ctx: HandlerContext) {
  const fullName = ctx.params['full_name']!;
  requireModel(ctx.state, fullName);
  delete area(ctx.state).registeredModels[fullName];
  return ok();
}

// --- Model serving endpoints ---------------------------------------------------------------------

function requireEndpoint(state: WorkspaceState, name: string): JsonObject {
  const e = area(state).servingEndpoints[name];
  if (!e) throw doesNotExist(`Endpoint with name '${name}' does not exist.`);
  return e;
}

/** A served entity as GET shows it: the name defaults to `<model>-<version>`. */
function servedEntities(config: JsonObject | undefined): JsonObject[] {
  return ((config?.['served_entities'] as JsonObject[] | undefined) ?? []).map((e) => {
    const model = String(e['entity_name'] ?? '').split('.').pop() ?? '';
    return { ...e, name: e['name'] ?? `${model}-${String(e['entity_version'] ?? '1')}` };
  });
}

function withConfig(endpoint: JsonObject, config: JsonObject | undefined, version: number): void {
  if (!config) return;
  endpoint['config'] = { ...config, served_entities: servedEntities(config), config_version: version };
}

function createEndpoint(ctx: HandlerContext) {
  const name = requireString(ctx.body, 'name');
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(name)) throw invalidParameter(`Invalid endpoint name '${name}': use letters, digits, '-' and '_'.`);
  const endpoints = area(ctx.state).servingEndpoints;
  if (endpoints[name]) throw alreadyExists(`Endpoint with name '${name}' already exists.`);
  const { config, ...rest } = structuredClone(ctx.body);
  const endpoint: JsonObject = { ...rest, id: nextHexId(ctx.state), creator: callerOf(ctx).userName, state: { ready: 'READY', config_update: 'NOT_UPDATING' } };
  withConfig(endpoint, config as JsonObject | undefined, 1);
  endpoints[name] = endpoint;
  return ok(endpoint);
}

function getEndpoint(ctx: HandlerContext) {
  return ok(requireEndpoint(ctx.state, ctx.params['name']!));
}

function updateEndpointConfig(ctx: HandlerContext) {
  const e = requireEndpoint(ctx.state, ctx.params['name']!);
  const version = Number((e['config'] as JsonObject | undefined)?.['config_version'] ?? 0) + 1;
  withConfig(e, structuredClone(ctx.body), version);
  return ok(e);
}

function patchEndpointTags(ctx: HandlerContext) {
  const e = requireEndpoint(ctx.state, ctx.params['name']!);
  const remove = new Set(optArray(ctx.body, 'delete_tags').map(String));
  const add = optArray(ctx.body, 'add_tags') as JsonObject[];
  const keep = ((e['tags'] as JsonObject[] | undefined) ?? []).filter((t) => !remove.has(String(t['key'])) && !add.some((a) => a['key'] === t['key']));
  e['tags'] = [...keep, ...add];
  return ok(e['tags']);
}

function putEndpointAiGateway(ctx: HandlerContext) {
  const e = requireEndpoint(ctx.state, ctx.params['name']!);
  e['ai_gateway'] = structuredClone(ctx.body);
  return ok(e['ai_gateway']);
}

function patchEndpointNotifications(ctx: HandlerContext) {
  const e = requireEndpoint(ctx.state, ctx.params['name']!);
  const notifications = optObject(ctx.body, 'email_notifications');
  if (notifications) e['email_notifications'] = notifications;
  else delete e['email_notifications'];
  return ok({ name: e['name'], email_notifications: notifications ?? {} });
}

function deleteEndpoint(ctx: HandlerContext) {
  const name = ctx.params['name']!;
  requireEndpoint(ctx.state, name);
  delete area(ctx.state).servingEndpoints[name];
  return ok();
}

export const computeMlRoutes: Route[] = [
  { method: 'POST', pattern: '/api/2.1/clusters/create', body: 'json', handle: createCluster },
  { method: 'POST', pattern: '/api/2.1/clusters/edit', body: 'json', handle: editCluster },
  { method: 'GET', pattern: '/api/2.1/clusters/get', body: 'none', handle: getCluster },
  { method: 'GET', pattern: '/api/2.1/clusters/list', body: 'none', handle: listClusters },
  { method: 'POST', pattern: '/api/2.1/clusters/permanent-delete', body: 'json', handle: deleteCluster },
  { method: 'POST', pattern: '/api/2.0/mlflow/experiments/create', body: 'json', handle: createExperiment },
  { method: 'GET', pattern: '/api/2.0/mlflow/experiments/get', body: 'none', handle: getExperiment },
  { method: 'GET', pattern: '/api/2.0/mlflow/experiments/get-by-name', body: 'none', handle: getExperimentByName },
  { method: 'POST', pattern: '/api/2.0/mlflow/experiments/update', body: 'json', handle: updateExperiment },
  { method: 'POST', pattern: '/api/2.0/mlflow/experiments/set-experiment-tag', body: 'json', handle: setExperimentTag },
  { method: 'POST', pattern: '/api/2.0/mlflow/experiments/delete', body: 'json', handle: deleteExperiment },
  { method: 'POST', pattern: '/api/2.1/unity-catalog/models', body: 'json', handle: createModel },
  { method: 'GET', pattern: '/api/2.1/unity-catalog/models/{full_name}', body: 'none', handle: (ctx) => ok(requireModel(ctx.state, ctx.params['full_name']!)) },
  { method: 'PATCH', pattern: '/api/2.1/unity-catalog/models/{full_name}', body: 'json', handle: updateModel },
  { method: 'DELETE', pattern: '/api/2.1/unity-catalog/models/{full_name}', body: 'none', handle: deleteModel },
  { method: 'POST', pattern: '/api/2.0/serving-endpoints', body: 'json', handle: createEndpoint },
  { method: 'GET', pattern: '/api/2.0/serving-endpoints/{name}', body: 'none', handle: getEndpoint },
  { method: 'PUT', pattern: '/api/2.0/serving-endpoints/{name}/config', body: 'json', handle: updateEndpointConfig },
  { method: 'PATCH', pattern: '/api/2.0/serving-endpoints/{name}/tags', body: 'json', handle: patchEndpointTags },
  { method: 'PUT', pattern: '/api/2.0/serving-endpoints/{name}/ai-gateway', body: 'json', handle: putEndpointAiGateway },
  { method: 'PATCH', pattern: '/api/2.0/serving-endpoints/{name}/notifications', body: 'json', handle: patchEndpointNotifications },
  { method: 'DELETE', pattern: '/api/2.0/serving-endpoints/{name}', body: 'none', handle: deleteEndpoint },
];
