import type { DataSource, EntityManager } from 'typeorm';
import { Organization } from './organization.entity';

/** The only code that queries the organization table. */
export class OrganizationService {
  constructor(private readonly ds: DataSource) {}

  /** Creates the organization if missing; returns it either way. */
  async ensure(slug: string, name: string, em: EntityManager = this.ds.manager): Promise<Organization> {
    await em.query(`INSERT INTO organization (slug, name) VALUES ($1, $2) ON CONFLICT ON CONSTRAINT uq_organization_slug DO NOTHING`, [slug, name]);
    return em.getRepository(Organization).findOneByOrFail({ slug });
  }

  async findById(id: string): Promise<Organization | null> {
    return this.ds.getRepository(Organization).findOneBy({ id });
  }

  /** The window of evidence.expiring events (the organization's own row: row-level security keeps it so). */
  async setExpiryWindow(id: string, days: number): Promise<void> {
    await this.ds.query(`UPDATE organization SET expiry_window_days = $2 WHERE id = $1`, [id, days]);
  }

  async findBySlug(slug: string): Promise<Organization | null> {
    return this.ds.getRepository(Organization).findOneBy({ slug });
  }
}
