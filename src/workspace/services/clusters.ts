// Clusters API 2.1: all-purpose clusters a bundle declares. Request bodies are the bundle schema's cluster
// spec (the reference API shapes do not cover this API); responses are typed with the fields dbx-ts reads.
import type { ResourcesCluster } from '../../schema/bundle-types.ts';
import { paginate } from '../pagination.ts';
import type { ServiceContext } from './endpoint.ts';

/** What clusters/create and clusters/edit accept (bundle-only fields taken out). */
export type ClusterSpec = Omit<ResourcesCluster, 'permissions' | 'lifecycle'>;

export interface ClusterDetails extends ClusterSpec {
  cluster_id: string;
  /** PENDING, RUNNING, RESTARTING, RESIZING, TERMINATING, TERMINATED, ERROR, UNKNOWN. */
  state?: string;
  state_message?: string;
  creator_user_name?: string;
  default_tags?: Record<string, string>;
}

export class ClustersService {
  constructor(private readonly ctx: ServiceContext) {}

  /** Creates and starts a cluster. Not idempotent: a lost response may still have created it. */
  create(spec: ClusterSpec): Promise<{ cluster_id: string }> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.1/clusters/create', body: spec, operation: 'clusters/create', idempotent: false });
  }

  /** Replaces the cluster's spec (send it complete); a running cluster restarts. */
  edit(clusterId: string, spec: ClusterSpec): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.1/clusters/edit', body: { ...spec, cluster_id: clusterId }, operation: 'clusters/edit', idempotent: true });
  }

  get(clusterId: string): Promise<ClusterDetails> {
    return this.ctx.http.json({ method: 'GET', path: '/api/2.1/clusters/get', query: { cluster_id: clusterId }, operation: 'clusters/get' });
  }

  list(): AsyncGenerator<ClusterDetails, void, undefined> {
    return paginate(
      (page_token) =>
        this.ctx.http.json<{ clusters?: ClusterDetails[]; next_page_token?: string }>({
          method: 'GET',
          path: '/api/2.1/clusters/list',
          query: page_token ? { page_token } : {},
          operation: 'clusters/list',
        }),
      (page) => page.clusters,
    );
  }

  /** Terminates and removes the cluster for good. */
  permanentDelete(clusterId: string): Promise<Record<string, never>> {
    return this.ctx.http.json({ method: 'POST', path: '/api/2.1/clusters/permanent-delete', body: { cluster_id: clusterId }, operation: 'clusters/permanent-delete', idempotent: true });
  }
}
