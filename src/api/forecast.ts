import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { DEFAULT_SERVICE_LEVEL, queueForecast } from '../core/forecast.ts';
import type { ApiEnv } from './context.ts';
import { errorResponses, isoInstant } from './schemas.ts';

const ForecastQuery = z.object({
  queue: z.string().min(1).max(10).openapi({ description: 'queue key, e.g. IT', example: 'IT' }),
  from: isoInstant
    .optional()
    .openapi({ description: 'first hour forecast (default: the current hour)' }),
  weeks: z.coerce.number().int().min(1).max(8).default(1).openapi({ description: 'weeks to forecast, 1..8' }),
  serviceLevel: z.coerce.number().gt(0).lt(1).default(DEFAULT_SERVICE_LEVEL).openapi({ description: 'share answered within the first-response target' }),
});

const ForecastHour = z
  .object({
    hour: z.string().openapi({ description: 'start of the hour, ISO 8601 UTC' }),
    arrivals: z.number().openapi({ description: 'expected new tickets in that hour' }),
    low: z.number().openapi({ description: '80 % interval, low end' }),
    high: z.number().openapi({ description: '80 % interval, high end' }),
    agentsNeeded: z.number().int().openapi({ description: 'smallest c meeting the service level by Erlang C (M/M/c)' }),
    open: z.boolean().openapi({ description: "whether the queue's calendar is open then" }),
    demandWhileClosed: z.boolean(),
  })
  .openapi('ForecastHour');

const Forecast = z
  .object({
    queue: z.string(),
    serviceLevel: z.number(),
    handlingTimeMinutes: z.number(),
    targetMinutes: z.number().openapi({ description: "first-response target of the queue's default type and priority (business minutes)" }),
    timezone: z.string(),
    model: z.string(),
    backtest: z.object({ weeks: z.number().int(), mape: z.number().nullable(), peakMape: z.number().nullable(), hours: z.number().int() }),
    items: z.array(ForecastHour),
  })
  .openapi('Forecast');

/** GET /api/v1/forecast: hourly arrivals and agents needed for one queue. */
export function forecastRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/forecast',
      tags: ['reports'],
      summary: 'Arrivals per hour for the next weeks and the agents needed (Erlang C)',
      request: { query: ForecastQuery },
      responses: { 200: { description: 'The forecast', content: { 'application/json': { schema: Forecast } } }, ...errorResponses },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const forecast = await queueForecast(c.var.core.db, c.var.catalog, {
        queue: query.queue,
        from: query.from ?? c.var.core.now(),
        weeks: query.weeks,
        serviceLevel: query.serviceLevel,
      });
      return c.json(forecast, 200);
    },
  );
}
