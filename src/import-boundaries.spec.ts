import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints one import as if it stood in `filePath`, with the project's eslint.config.js. */
async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await new ESLint().lintText(`${source}\nexport {};\n`, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (eslint.config.js)', () => {
  it('keeps http/ and modules/ out of the kernel', async () => {
    expect(await boundaryErrors('src/event-store/x.ts', "import '../http/auth.js';")).toHaveLength(1);
    expect(await boundaryErrors('src/projections/x.ts', "import '../modules/orders/order.events.js';")).toHaveLength(1);
    expect(await boundaryErrors('src/projections/x.ts', "import '../event-store/event.js';")).toEqual([]);
    expect(await boundaryErrors('src/reactions/x.ts', "import '../modules/orders/order.events.js';")).toHaveLength(1);
  });

  it('keeps domain modules out of infrastructure', async () => {
    expect(await boundaryErrors('src/http/x.ts', "import '../modules/carts/cart.events.js';")).toHaveLength(1);
  });

  it("lets a module see another only through its events and its public contract", async () => {
    const from = 'src/modules/carts/x.ts';
    expect(await boundaryErrors(from, "import '../catalog/product.decider.js';")).toHaveLength(1);
    expect(await boundaryErrors(from, "export { CatalogQueries } from '../catalog/catalog-queries.js';")).toHaveLength(1);
    expect(await boundaryErrors(from, "import '../orders/order.events.js';")).toEqual([]);
    expect(await boundaryErrors(from, "import '../catalog/catalog.public.js';")).toEqual([]);
    expect(await boundaryErrors(from, "import '../../http/auth.js';\nimport './cart.events.js';")).toEqual([]);
  });
});
