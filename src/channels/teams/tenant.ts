import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { settings } from '../../db/schema.ts';

/**
 * Where this tenant's Bot Connector lives. Teams tells us with every activity
 * (`serviceUrl`, regional, e.g. https://smba.trafficmanager.net/emea/); proactive posts to
 * a channel we have never heard from need it, so the last one seen is kept in `settings`.
 */
const SERVICE_URL_KEY = 'teams_service_url';
const TENANT_KEY = 'teams_tenant_id';
/** Microsoft's global endpoint, good until the first activity tells us the regional one. */
export const DEFAULT_SERVICE_URL = 'https://smba.trafficmanager.net/teams/';

export class TenantDirectory {
  private serviceUrl: string | undefined;
  private tenantId: string | undefined;

  constructor(
    private readonly db: Db,
    configuredTenantId: string | undefined,
  ) {
    this.tenantId = configuredTenantId;
  }

  async learn(serviceUrl: string | undefined, tenantId: string | undefined): Promise<void> {
    if (serviceUrl && serviceUrl !== this.serviceUrl) {
      this.serviceUrl = serviceUrl;
      await this.store(SERVICE_URL_KEY, serviceUrl);
    }
    if (tenantId && tenantId !== this.tenantId) {
      this.tenantId = tenantId;
      await this.store(TENANT_KEY, tenantId);
    }
  }

  async current(): Promise<{ serviceUrl: string; tenantId: string | undefined }> {
    this.serviceUrl ??= await this.read(SERVICE_URL_KEY);
    this.tenantId ??= await this.read(TENANT_KEY);
    return { serviceUrl: this.serviceUrl ?? DEFAULT_SERVICE_URL, tenantId: this.tenantId };
  }

  private async store(key: string, value: string): Promise<void> {
    await this.db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } });
  }

  private async read(key: string): Promise<string | undefined> {
    const [row] = await this.db.select().from(settings).where(eq(settings.key, key));
    return row?.value;
  }
}
