import type pg from 'pg';
import { seedSteps } from '../../demo/steps.js';
import { insertItems } from './item-import.service.js';
import type { ItemFields } from './item-input.js';
import type { SerialLevel } from './catalog.entities.js';

type Node = { code: string; name: string; level?: SerialLevel; children?: Node[] };

/** Demo tree: ALWAYS electronics, a SOMETIMES category in sporting goods, NEVER apparel, mixed home. */
export const demoTree: Node[] = [
  {
    code: 'ELEC',
    name: 'Electronics',
    level: 'ALWAYS' as SerialLevel,
    children: [
      {
        code: 'ELEC-TV',
        name: 'Televisions',
        children: [
          { code: 'ELEC-TV-OLED', name: 'OLED TVs' },
          { code: 'ELEC-TV-LED', name: 'LED TVs' },
        ],
      },
      {
        code: 'ELEC-CMP',
        name: 'Computers',
        children: [
          { code: 'ELEC-CMP-LAP', name: 'Laptops' },
          { code: 'ELEC-CMP-TAB', name: 'Tablets' },
        ],
      },
      {
        code: 'ELEC-AUD',
        name: 'Audio',
        children: [
          { code: 'ELEC-AUD-HP', name: 'Headphones' },
          { code: 'ELEC-AUD-CBL', name: 'Cables & Adapters', level: 'NEVER' as SerialLevel },
        ],
      },
    ],
  },
  {
    code: 'SPRT',
    name: 'Sporting Goods',
    children: [
      {
        code: 'SPRT-FA',
        name: 'Firearms',
        level: 'ALWAYS' as SerialLevel,
        children: [
          { code: 'SPRT-FA-RIF', name: 'Rifles' },
          { code: 'SPRT-FA-HG', name: 'Handguns' },
        ],
      },
      {
        code: 'SPRT-FIT',
        name: 'Fitness Equipment',
        level: 'SOMETIMES' as SerialLevel,
        children: [
          { code: 'SPRT-FIT-TRD', name: 'Treadmills' },
          { code: 'SPRT-FIT-BIK', name: 'Exercise Bikes' },
        ],
      },
      {
        code: 'SPRT-TEAM',
        name: 'Team Sports',
        children: [
          { code: 'SPRT-TEAM-JER', name: 'Jerseys' },
          { code: 'SPRT-TEAM-BAL', name: 'Balls' },
        ],
      },
    ],
  },
  {
    code: 'APP',
    name: 'Apparel',
    level: 'NEVER' as SerialLevel,
    children: [
      {
        code: 'APP-MEN',
        name: 'Menswear',
        children: [
          { code: 'APP-MEN-SHI', name: 'Shirts' },
          { code: 'APP-MEN-PNT', name: 'Trousers' },
        ],
      },
      {
        code: 'APP-WOM',
        name: 'Womenswear',
        children: [
          { code: 'APP-WOM-DRS', name: 'Dresses' },
          { code: 'APP-WOM-OUT', name: 'Outerwear' },
        ],
      },
    ],
  },
  {
    code: 'HOME',
    name: 'Home & Antiques',
    level: 'SOMETIMES' as SerialLevel,
    children: [
      {
        code: 'HOME-ANT',
        name: 'Antiques',
        children: [
          { code: 'HOME-ANT-FUR', name: 'Antique Furniture' },
          { code: 'HOME-ANT-CLK', name: 'Clocks & Watches' },
        ],
      },
      {
        code: 'HOME-APL',
        name: 'Appliances',
        level: 'ALWAYS' as SerialLevel,
        children: [
          { code: 'HOME-APL-KIT', name: 'Kitchen Appliances' },
          { code: 'HOME-APL-LAU', name: 'Laundry' },
        ],
      },
    ],
  },
];

export const demoVendors = [
  ['NWE', 'Northwind Electronics'],
  ['ACA', 'Acme Arms Supply'],
  ['SUM', 'Summit Fitness'],
  ['UTH', 'Urban Threads'],
  ['HER', 'Heritage Antiques Co.'],
  ['CON', 'Contoso Appliances'],
] as const;

const vendorFor: Record<string, string> = {
  ELEC: 'NWE',
  'SPRT-FA': 'ACA',
  'SPRT-FIT': 'SUM',
  'SPRT-TEAM': 'SUM',
  APP: 'UTH',
  'HOME-ANT': 'HER',
  'HOME-APL': 'CON',
};
const words: Record<string, [string[], string[]]> = {
  'ELEC-TV-OLED': [
    ['Lumen', 'Vivid', 'Aurora', 'Nova'],
    ['55" OLED TV', '65" OLED TV', '77" OLED TV'],
  ],
  'ELEC-TV-LED': [
    ['Clarity', 'Brite', 'Pixel'],
    ['43" LED TV', '50" LED TV', '58" LED TV'],
  ],
  'ELEC-CMP-LAP': [
    ['Zen', 'Forge', 'Swift', 'Aero'],
    ['13" Laptop', '14" Laptop', '16" Laptop Pro'],
  ],
  'ELEC-CMP-TAB': [
    ['Slate', 'Pad', 'Tab'],
    ['10" Tablet', '11" Tablet', '12.9" Tablet'],
  ],
  'ELEC-AUD-HP': [
    ['Echo', 'Bass', 'Quiet'],
    ['Wireless Headphones', 'Noise-Cancelling Headphones', 'Earbuds'],
  ],
  'ELEC-AUD-CBL': [
    ['Link', 'Flex'],
    ['HDMI Cable 2m', 'USB-C Cable 1m', 'Optical Cable'],
  ],
  'SPRT-FA-RIF': [
    ['Ridge', 'Falcon', 'Timber'],
    ['Bolt-Action Rifle .308', 'Lever Rifle .30-30', 'Rimfire Rifle .22'],
  ],
  'SPRT-FA-HG': [
    ['Sentinel', 'Guardian'],
    ['9mm Compact Pistol', '.45 Full-Size Pistol', '.38 Revolver'],
  ],
  'SPRT-FIT-TRD': [
    ['Stride', 'Pace'],
    ['Folding Treadmill', 'Incline Treadmill'],
  ],
  'SPRT-FIT-BIK': [
    ['Spin', 'Cadence'],
    ['Upright Bike', 'Recumbent Bike'],
  ],
  'SPRT-TEAM-JER': [
    ['Home', 'Away'],
    ['Replica Jersey', 'Authentic Jersey'],
  ],
  'SPRT-TEAM-BAL': [
    ['Pro', 'Match'],
    ['Soccer Ball', 'Basketball', 'Football'],
  ],
  'APP-MEN-SHI': [['Oxford', 'Linen', 'Flannel'], ['Shirt']],
  'APP-MEN-PNT': [['Chino', 'Wool', 'Denim'], ['Trousers']],
  'APP-WOM-DRS': [['Wrap', 'Shift', 'Maxi'], ['Dress']],
  'APP-WOM-OUT': [['Trench', 'Puffer', 'Wool'], ['Coat']],
  'HOME-ANT-FUR': [
    ['Victorian', 'Georgian', 'Art Deco'],
    ['Writing Desk', 'Armchair', 'Cabinet'],
  ],
  'HOME-ANT-CLK': [
    ['Mantel', 'Pocket', 'Longcase'],
    ['Clock', 'Watch'],
  ],
  'HOME-APL-KIT': [
    ['Chef', 'Brew'],
    ['Stand Mixer', 'Espresso Machine', 'Microwave'],
  ],
  'HOME-APL-LAU': [
    ['Fresh', 'Pure'],
    ['Front-Load Washer', 'Heat-Pump Dryer'],
  ],
};
const colors = ['Black', 'Silver', 'White', 'Navy', 'Red', 'Walnut'];
const sizes = ['S', 'M', 'L', 'XL'];
const teams = ['Rangers', 'Comets', 'Harbor FC', 'Miners'];
const seasons = ['SS26', 'FW26', 'ALL'];

/** A UPC-A with a valid check digit from a running number. */
export function upcA(n: number): string {
  const body = String(40_000_000_000 + n).padStart(11, '0');
  const sum = [...body].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body + ((10 - (sum % 10)) % 10);
}

export const ITEMS_PER_SUBCATEGORY = 16;

/** The demo catalog: 4 departments, 20 subcategories, 320 items with additional UPCs, 6 vendors. */
export async function seedCatalog(client: pg.PoolClient): Promise<void> {
  await client.query('insert into vendor (code, name) select * from unnest($1::text[], $2::text[])', [
    demoVendors.map((v) => v[0]),
    demoVendors.map((v) => v[1]),
  ]);
  const ids = new Map<string, number>();
  const insert = async (n: Node, parent: Node | null, level: string, parentLevel: string | null) => {
    const { rows } = await client.query(
      'insert into classification (level, parent_id, parent_level, code, name, serial_level) values ($1, $2, $3, $4, $5, $6) returning id',
      [level, parent ? ids.get(parent.code) : null, parentLevel, n.code, n.name, n.level ?? null],
    );
    ids.set(n.code, rows[0].id);
  };
  const vendors = new Map((await client.query('select code, id from vendor')).rows.map((r) => [r.code as string, r.id as number]));
  const items: ItemFields[] = [];
  let upc = 1;
  for (const d of demoTree) {
    await insert(d, null, 'DEPARTMENT', null);
    for (const c of d.children ?? []) {
      await insert(c, d, 'CATEGORY', 'DEPARTMENT');
      for (const s of c.children ?? []) {
        await insert(s, c, 'SUBCATEGORY', 'CATEGORY');
        const [brands, kinds] = words[s.code]!;
        for (let i = 0; i < ITEMS_PER_SUBCATEGORY; i++) {
          const brand = brands[i % brands.length]!;
          const kind = kinds[Math.floor(i / brands.length) % kinds.length]!;
          const apparel = d.code === 'APP';
          const extra = i % 3; // 0, 1 or 2 additional UPCs
          const cost = (40 + ((i * 37 + s.code.length * 11) % 900)) * (d.code === 'APP' ? 0.2 : 1);
          items.push({
            productId: `${s.code.split('-').slice(1).join('')}-${String(i + 1).padStart(3, '0')}`,
            name: `${brand} ${kind}${apparel ? ` ${sizes[i % sizes.length]}` : ''}`,
            description: `${brand} ${kind} from the ${s.name} range.`,
            subcategoryId: ids.get(s.code)!,
            vendorId: vendors.get(vendorFor[c.code] ?? vendorFor[d.code]!)!,
            style: `${brand.slice(0, 3).toUpperCase()}-${100 + i}`,
            size: apparel ? sizes[i % sizes.length]! : null,
            color: colors[i % colors.length]!,
            brand,
            season: seasons[i % seasons.length]!,
            team: s.code === 'SPRT-TEAM-JER' ? teams[i % teams.length]! : null,
            unitCost: cost.toFixed(2),
            retailPrice: (cost * 1.6).toFixed(2),
            mainUpc: upcA(upc++),
            additionalUpcs: Array.from({ length: extra }, () => upcA(upc++)),
            // A few item overrides, so every source of POL-2 shows in the demo.
            serialLevel:
              s.code === 'SPRT-TEAM-JER' && i === 0
                ? ('ALWAYS' as SerialLevel)
                : s.code === 'ELEC-CMP-TAB' && i === 15
                  ? ('SOMETIMES' as SerialLevel)
                  : null,
            serialRequiredWhenSelling: c.level === 'SOMETIMES' || d.level === 'SOMETIMES' ? i % 2 === 0 : false,
            serialRequiredWhenReturning: c.level === 'SOMETIMES' || d.level === 'SOMETIMES' ? i % 4 === 0 : false,
            serialPattern: s.code === 'SPRT-FA-HG' ? '[A-Z]{2,3}[0-9]{5,7}' : null,
          });
        }
      }
    }
  }
  await insertItems(client, items);
}

seedSteps.push(seedCatalog);
