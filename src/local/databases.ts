// The local databases a run touches, one per catalog, opened on first use and closed together: a notebook task
// whose `catalog` widget names another catalog builds its tables there, as it would on Databricks.
import { openLocalDatabase, type LocalDatabase } from './engine/index.ts';

export interface LocalDatabases {
  get(catalog: string): Promise<LocalDatabase>;
  close(): Promise<void>;
}

export function localDatabases(dir: string): LocalDatabases {
  const open = new Map<string, Promise<LocalDatabase>>();
  return {
    get(catalog) {
      let db = open.get(catalog);
      if (!db) {
        db = openLocalDatabase(dir, catalog);
        open.set(catalog, db);
        db.catch(() => open.delete(catalog));
      }
      return db;
    },
    async close() {
      const all = [...open.values()];
      open.clear();
      for (const db of await Promise.allSettled(all)) if (db.status === 'fulfilled') await db.value.close();
    },
  };
}
