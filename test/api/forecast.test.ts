import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { engine, fixedClock } from '../support/db.ts';
import { apiServiceForSuite } from './harness.ts';

// Eight weeks of history for IT (Madrid calendar, default type it-other at P3: first response
// in 4 h, handling time 20 min by default): exactly 3 tickets every Monday at 10:xx Madrid and
// one every Sunday at 10:xx, nothing else. The forecast for the next week must say 3 and 1.

const TOKEN = 'forecast-token';
const clock = fixedClock('2026-11-30T00:00:00Z'); // Monday, 01:00 Madrid
const app = apiServiceForSuite({ API_TOKENS: TOKEN }, { now: clock.now });

beforeAll(async () => {
  const db = app.database.db;
  await db.execute(sql`insert into people (email) values ('history@example.com')`);
  // Mondays 10:05/10:25/10:45 and Sundays 10:30 Madrid (09:xx UTC in winter, 08:xx in October's summer time).
  await db.execute(sql`
    insert into tickets (key, queue_key, number, type_key, title, priority, requester_id, origin_channel, created_at)
    select 'IT-' || (100000 + row_number() over ()), 'IT', 100000 + row_number() over (), 'it-other', 'history', 'P3',
           (select id from people where email = 'history@example.com'), 'api', at
    from (
      select ((timestamp '2026-10-05 10:00' + make_interval(weeks => w) + make_interval(mins => m)) at time zone 'Europe/Madrid') as at
      from generate_series(0, 7) as w, unnest(array[5, 25, 45]) as m
      union all
      select ((timestamp '2026-10-04 10:30' + make_interval(weeks => w)) at time zone 'Europe/Madrid')
      from generate_series(1, 8) as w
    ) history`);
});

function get(route: string) {
  return fetch(`${app.url}/api/v1${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
}

interface Item { hour: string; arrivals: number; low: number; high: number; agentsNeeded: number; open: boolean; demandWhileClosed: boolean }

/** Erlang C written out with factorials, independent of src/core/erlang.ts. */
function serviceLevelByFactorials(agents: number, perHour: number, handlingMin: number, targetMin: number): number {
  const a = (perHour * handlingMin) / 60;
  if (agents <= a) return 0;
  let factorial = 1;
  let sum = 0;
  for (let k = 0; k < agents; k++) {
    if (k > 0) factorial *= k;
    sum += a ** k / factorial;
  }
  const top = (a ** agents / (factorial * agents)) * (agents / (agents - a));
  const waits = top / (sum + top);
  return 1 - waits * Math.exp((-(agents - a) * targetMin) / handlingMin);
}
const smallestAgents = (perHour: number, level: number) => {
  for (let c = 1; ; c++) if (serviceLevelByFactorials(c, perHour, 20, 240) >= level) return c;
};

describe(`staffing forecast over HTTP on ${engine}`, () => {
  it('forecasts the weekly pattern of the history, hour by hour, with Erlang C staffing', async () => {
    const response = await get('/forecast?queue=it&weeks=1');
    expect(response.status).toBe(200);
    const forecast = (await response.json()) as { queue: string; serviceLevel: number; items: Item[]; handlingTimeMinutes: number; targetMinutes: number };
    expect(forecast).toMatchObject({ queue: 'IT', serviceLevel: 0.9, handlingTimeMinutes: 20, targetMinutes: 240 });
    expect(forecast.items).toHaveLength(168);
    expect(forecast.items[0]!.hour).toBe('2026-11-30T00:00:00.000Z');
    const at = (iso: string) => forecast.items.find((i) => i.hour === iso)!;
    const monday = at('2026-11-30T09:00:00.000Z'); // 10:00 Madrid
    expect(monday).toMatchObject({ arrivals: 3, open: true, agentsNeeded: smallestAgents(3, 0.9), demandWhileClosed: false });
    expect(monday.low).toBeLessThan(3);
    expect(monday.high).toBeGreaterThan(3);
    const sunday = at('2026-12-06T09:00:00.000Z');
    expect(sunday).toMatchObject({ arrivals: 1, open: false, agentsNeeded: smallestAgents(1, 0.9), demandWhileClosed: true });
    const quiet = at('2026-12-01T09:00:00.000Z'); // a Tuesday morning: nobody ever came
    expect(quiet).toMatchObject({ arrivals: 0, agentsNeeded: 0, open: true });
  });

  it('staffs for a stricter service level with at least as many agents', async () => {
    const strict = (await (await get('/forecast?queue=IT&serviceLevel=0.99')).json()) as { items: Item[] };
    const monday = strict.items.find((i) => i.hour === '2026-11-30T09:00:00.000Z')!;
    expect(monday.agentsNeeded).toBe(smallestAgents(3, 0.99));
  });

  it('answers 400 for an unknown queue or a bad parameter, never an empty forecast', async () => {
    for (const query of ['queue=NOPE', 'queue=IT&weeks=0', 'queue=IT&serviceLevel=2', 'queue=IT&from=yesterday', '']) {
      const response = await get(`/forecast?${query}`);
      expect(response.status, query).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBeTruthy();
    }
  });
});
