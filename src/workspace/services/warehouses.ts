// SQL warehouses, read only: enough to check that a warehouse the bundle names exists.
import { callEndpoint, type Response, type ServiceContext } from './endpoint.ts';

export type Warehouse = Response<'sql/warehouses/get'>;

export class WarehousesService {
  constructor(private readonly ctx: ServiceContext) {}

  get(id: string): Promise<Warehouse> {
    return callEndpoint(this.ctx.http, 'sql/warehouses/get', { path: { id } });
  }
}
