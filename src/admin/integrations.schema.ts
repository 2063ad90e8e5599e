/**
 * The request bodies of the admin API's integration routes (admin.routes.ts), in their own file
 * so the admin OpenAPI document (admin/openapi.ts) can read them without importing the routes.
 */
import { z } from 'zod';
import { CAPABILITIES } from '../domain/capabilities.ts';

const Capabilities = z.array(z.enum(CAPABILITIES));

export const CreateIntegrationBody = z.strictObject({
  name: z.string().min(1),
  capabilities: Capabilities.optional().describe('Default: every capability'),
});

export const UpdateIntegrationBody = z.strictObject({
  name: z.string().min(1).optional(),
  capabilities: Capabilities.optional(),
});
