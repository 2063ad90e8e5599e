import { type OctavoTestOptions, startOctavo } from '../../src/testing/index.ts';
import { type EngineName, PG_URL } from '../helpers/engines.ts';

/** Octavo in process on `engine` (Postgres in a fresh schema). */
export function startFor(engine: EngineName, options: OctavoTestOptions = {}) {
  return startOctavo({ ...options, ...(engine === 'postgres' ? { databaseUrl: PG_URL } : {}) });
}

/** A fixture used by the test-double suites: two integrations, a user, pages, a database. */
export const TOKEN_A = 'ntn_testdoubleAAAAAAAAAAAAAAAAAAAA';
export const TOKEN_B = 'secret_testdoubleBBBBBBBBBBBBBBBBBB';

export const IDS = {
  integrationA: '11111111-1111-4111-8111-111111111111',
  user: '22222222-2222-4222-8222-222222222222',
  home: '33333333-3333-4333-8333-333333333333',
  intro: '33333333-3333-4333-8333-333333333334',
  item: '33333333-3333-4333-8333-333333333335',
  nested: '33333333-3333-4333-8333-333333333336',
  child: '33333333-3333-4333-8333-333333333337',
  secret: '33333333-3333-4333-8333-333333333338',
  tasks: '44444444-4444-4444-8444-444444444444',
  tasksSource: '44444444-4444-4444-8444-444444444445',
  row1: '55555555-5555-4555-8555-555555555551',
  row2: '55555555-5555-4555-8555-555555555552',
};

export const FIXTURE_YAML = `
version: 1
integrations:
  - name: Tests A
    id: ${IDS.integrationA}
    token: ${TOKEN_A}
  - name: Tests B
    token: ${TOKEN_B}
    capabilities: [read_content]
users:
  - id: ${IDS.user}
    name: Ada Lovelace
    email: ada@example.com
pages:
  - id: ${IDS.home}
    title: Home
    shared_with: [Tests A]
    children:
      - id: ${IDS.intro}
        paragraph:
          rich_text: [{ text: { content: Welcome } }]
      - id: ${IDS.item}
        type: bulleted_list_item
        bulleted_list_item:
          rich_text: [{ text: { content: First } }]
          children:
            - id: ${IDS.nested}
              paragraph: { rich_text: [{ text: { content: Inside } }] }
    pages:
      - id: ${IDS.child}
        title: Child page
        icon: { type: emoji, emoji: "🧪" }
    databases:
      - id: ${IDS.tasks}
        data_source_id: ${IDS.tasksSource}
        title: Tasks
        properties:
          Name: { title: {} }
          Done: { checkbox: {} }
          Due: { date: {} }
          Owner: { people: {} }
        rows:
          - id: ${IDS.row1}
            properties:
              Name: { title: [{ text: { content: Write tests } }] }
              Done: { checkbox: true }
              Due: { date: { start: "2026-01-05" } }
              Owner: { people: [{ id: ${IDS.user} }] }
          - id: ${IDS.row2}
            properties:
              Name: { title: [{ text: { content: Ship } }] }
            children:
              - paragraph: { rich_text: [{ text: { content: Notes } }] }
  - id: ${IDS.secret}
    title: Secret
    shared_with: [Tests B]
`;
