import { strict as assert } from 'node:assert';
import { accessReadiness, autoExtends, relationshipsEndingSoon, type AccessFacts, type AccessReadiness, type GdapAccessAssignment, type GdapRelationship } from '../../src/domain/access';
import { ROLES, checklistPermissions, isKnownCheck, rolesForCheck, serviceAdminRoles } from '../../src/domain/access-roles';
import { troubleshootingChecks } from '../../src/domain/triage';

const NOW = new Date('2026-12-10T12:00:00Z');
const CUSTOMER = '7a3c1f52-5d4e-4b8a-9c21-3e6f0d9b1a01';
const HELPDESK = '11111111-aaaa-4aaa-8aaa-000000000001';
const EXCHANGE_TEAM = '11111111-aaaa-4aaa-8aaa-000000000002';
const SSA = ROLES.serviceSupportAdministrator.id;

function relationship(overrides: Partial<GdapRelationship> = {}): GdapRelationship {
  return {
    id: 'rel-1',
    displayName: 'Contoso support',
    customerTenantId: CUSTOMER,
    status: 'active',
    endDateTime: '2027-03-01T00:00:00Z',
    autoExtendDuration: 'P180D',
    roleIds: [SSA, ROLES.exchangeAdministrator.id],
    ...overrides,
  };
}

function assignment(overrides: Partial<GdapAccessAssignment> = {}): GdapAccessAssignment {
  return { id: 'as-1', relationshipId: 'rel-1', status: 'active', groupId: HELPDESK, groupName: 'Contoso helpdesk', roleIds: [SSA], ...overrides };
}

function facts(overrides: Partial<AccessFacts> = {}): AccessFacts {
  return {
    relationships: [relationship()],
    assignments: [assignment()],
    engineerGroupIds: [HELPDESK],
    health: { state: 'readable' },
    ...overrides,
  };
}

function kinds(r: AccessReadiness): string[] {
  return [...r.problems.map((p) => p.kind), ...r.warnings.map((w) => `warn:${w.kind}`)];
}

describe('domain/access: readiness', () => {
  const table: Array<[string, Partial<AccessFacts>, boolean, string[]]> = [
    ['fully ready', {}, true, []],
    ['no relationship at all', { relationships: [], assignments: [] }, false, ['no_relationship']],
    ['the only relationship expired', { relationships: [relationship({ status: 'expired', endDateTime: '2026-11-01T00:00:00Z' })] }, false, ['relationship_ended']],
    ['terminated by the customer', { relationships: [relationship({ status: 'terminated' })] }, false, ['relationship_ended']],
    [
      'still active in Graph but its end has passed (no auto-extend)',
      { relationships: [relationship({ endDateTime: '2026-12-09T00:00:00Z', autoExtendDuration: 'PT0S' })] },
      false,
      ['relationship_ended'],
    ],
    ['awaiting the customer\'s approval', { relationships: [relationship({ status: 'approvalPending', endDateTime: undefined })] }, false, ['relationship_pending']],
    [
      'ends in 10 days without auto-extend: ready with a warning',
      { relationships: [relationship({ endDateTime: '2026-12-20T12:00:00Z', autoExtendDuration: 'PT0S' })] },
      true,
      ['warn:ending_soon'],
    ],
    [
      'ends in 10 days but auto-extends: no warning',
      { relationships: [relationship({ endDateTime: '2026-12-20T12:00:00Z', autoExtendDuration: 'P180D' })] },
      true,
      [],
    ],
    [
      'ends in 40 days without auto-extend: no warning yet',
      { relationships: [relationship({ endDateTime: '2027-01-19T12:00:00Z', autoExtendDuration: 'P0D' })] },
      true,
      [],
    ],
    [
      'relationship lacks any role that allows filing',
      {
        relationships: [relationship({ roleIds: [ROLES.globalReader.id, ROLES.directoryReaders.id] })],
        assignments: [assignment({ roleIds: [ROLES.globalReader.id] })],
      },
      false,
      ['no_support_role'],
    ],
    [
      'the support role is approved but given to no group',
      { relationships: [relationship({ roleIds: [SSA, ROLES.globalReader.id] })], assignments: [assignment({ roleIds: [ROLES.globalReader.id] })] },
      false,
      ['role_not_assigned'],
    ],
    ['the assignment is still pending', { assignments: [assignment({ status: 'pending' })] }, false, ['role_not_assigned']],
    ['engineer outside the group', { engineerGroupIds: [EXCHANGE_TEAM] }, false, ['not_in_group']],
    ['health app not consented (403)', { health: { state: 'failed', failure: 'access_403' } }, false, ['health_not_consented']],
    ['health app refused a token', { health: { state: 'failed', failure: 'access_token' } }, false, ['health_not_consented']],
    ['health throttled: unknown, not a problem', { health: { state: 'failed', failure: 'throttled' } }, true, ['warn:health_unknown']],
    ['health not checked yet', { health: { state: 'not_checked' } }, true, ['warn:health_unknown']],
    [
      'engineer outside the group and health not consented: both, GDAP first',
      { engineerGroupIds: [], health: { state: 'failed', failure: 'access_401' } },
      false,
      ['not_in_group', 'health_not_consented'],
    ],
  ];
  for (const [name, overrides, ready, expected] of table) {
    it(name, () => {
      const r = accessReadiness(facts(overrides), NOW);
      assert.equal(r.ready, ready);
      assert.deepEqual(kinds(r), expected);
    });
  }

  it('names the role, the group and the end of the ready path', () => {
    const r = accessReadiness(facts(), NOW);
    assert.deepEqual(r.grant, {
      role: ROLES.serviceSupportAdministrator,
      groupId: HELPDESK,
      groupName: 'Contoso helpdesk',
      relationshipId: 'rel-1',
      relationshipName: 'Contoso support',
      until: '2027-03-01T00:00:00Z',
      autoExtends: true,
    });
    assert.equal(r.canAct, true);
  });

  it('prefers the least-privileged support role, then the relationship that lasts longest', () => {
    const r = accessReadiness(
      facts({
        relationships: [
          relationship({ id: 'short', displayName: 'Short', endDateTime: '2027-01-01T00:00:00Z', autoExtendDuration: 'PT0S', roleIds: [SSA, ROLES.globalAdministrator.id] }),
          relationship({ id: 'long', displayName: 'Long', endDateTime: '2028-01-01T00:00:00Z', autoExtendDuration: 'PT0S', roleIds: [SSA] }),
        ],
        assignments: [
          assignment({ id: 'a', relationshipId: 'short', roleIds: [ROLES.globalAdministrator.id, SSA] }),
          assignment({ id: 'b', relationshipId: 'long', roleIds: [SSA] }),
        ],
      }),
      NOW,
    );
    assert.equal(r.grant?.role.id, SSA);
    assert.equal(r.grant?.relationshipName, 'Long');
    assert.deepEqual([...r.heldRoleIds].sort(), [ROLES.globalAdministrator.id, SSA].sort());
  });

  it('an assignment cannot give a role its relationship does not hold', () => {
    const r = accessReadiness(
      facts({ relationships: [relationship({ roleIds: [ROLES.globalReader.id] })], assignments: [assignment({ roleIds: [SSA, ROLES.globalReader.id] })] }),
      NOW,
    );
    assert.deepEqual(r.heldRoleIds, [ROLES.globalReader.id]);
    assert.deepEqual(kinds(r), ['no_support_role']);
  });

  it('says which groups the engineer should join, and who can fix each problem', () => {
    const r = accessReadiness(facts({ engineerGroupIds: [] }), NOW);
    const problem = r.problems[0];
    assert.equal(problem.kind, 'not_in_group');
    if (problem.kind !== 'not_in_group') return;
    assert.deepEqual(problem.groups, [{ id: HELPDESK, name: 'Contoso helpdesk' }]);
    assert.equal(problem.role.name, 'Service Support Administrator');
    assert.deepEqual(problem.fixedBy, ['group_owner', 'partner_admin']);
    const ended = accessReadiness(facts({ relationships: [relationship({ status: 'expired' })] }), NOW).problems[0];
    assert.deepEqual(ended.fixedBy, ['partner_admin', 'customer_admin']);
    const pending = accessReadiness(facts({ relationships: [relationship({ status: 'approvalPending' })] }), NOW).problems[0];
    assert.deepEqual(pending.fixedBy, ['customer_admin']);
  });

  it('compares group and role ids in any case', () => {
    const r = accessReadiness(facts({ engineerGroupIds: [HELPDESK.toUpperCase()], assignments: [assignment({ roleIds: [SSA.toUpperCase()] })] }), NOW);
    assert.equal(r.ready, true);
  });
});

describe('domain/access: relationships ending soon', () => {
  const rels = [
    relationship({ id: 'a', displayName: 'A', endDateTime: '2026-12-20T12:00:00Z', autoExtendDuration: 'PT0S' }),
    relationship({ id: 'b', displayName: 'B', endDateTime: '2026-12-15T12:00:00Z', autoExtendDuration: 'P0D' }),
    relationship({ id: 'c', displayName: 'C', endDateTime: '2026-12-15T12:00:00Z', autoExtendDuration: 'P180D' }),
    relationship({ id: 'd', displayName: 'D', endDateTime: '2027-02-01T12:00:00Z', autoExtendDuration: 'PT0S' }),
    relationship({ id: 'e', displayName: 'E', endDateTime: '2026-12-01T12:00:00Z', autoExtendDuration: 'PT0S' }),
    relationship({ id: 'f', displayName: 'F', status: 'terminated', endDateTime: '2026-12-12T12:00:00Z', autoExtendDuration: 'PT0S' }),
    relationship({ id: 'g', displayName: 'G', endDateTime: '2027-01-09T12:00:00Z', autoExtendDuration: undefined }),
  ];

  it('lists active, non-extending relationships ending within 30 days, soonest first', () => {
    assert.deepEqual(relationshipsEndingSoon(rels, NOW).map((r) => r.id), ['b', 'a', 'g']);
  });

  it('takes another horizon', () => {
    assert.deepEqual(relationshipsEndingSoon(rels, NOW, 7).map((r) => r.id), ['b']);
  });

  const durations: Array<[string | undefined, boolean]> = [['P180D', true], ['PT0S', false], ['P0D', false], [undefined, false], ['', false], ['nonsense', false]];
  for (const [duration, expected] of durations) {
    it(`auto-extend ${String(duration)} → ${expected}`, () => assert.equal(autoExtends({ autoExtendDuration: duration }), expected));
  }
});

describe('domain/access: which checks the engineer can perform', () => {
  const services = ['Exchange Online', 'Microsoft Teams', 'SharePoint Online', 'OneDrive for Business', 'Microsoft Entra', 'Microsoft Intune', 'Microsoft 365 Apps'];

  it('knows every check triage gives for every service', () => {
    for (const service of services) for (const check of troubleshootingChecks(service)) assert.ok(isKnownCheck(check), `${service}: ${check}`);
  });

  it('gives every service with its own checks its own admin roles', () => {
    for (const service of services.slice(0, 6)) assert.ok(serviceAdminRoles(service).length > 0, service);
    assert.deepEqual(serviceAdminRoles('Microsoft 365 Apps'), []);
  });

  const table: Array<[string, string, string[], Record<string, boolean>]> = [
    [
      'Service Support Administrator alone: only what needs no role',
      'Exchange Online',
      [SSA],
      { licences: false, recent_changes: false, settings: false, client_software: true, mail_flow_rules: false, message_trace: false },
    ],
    [
      'Exchange Administrator: the Exchange checks and its settings',
      'Exchange Online',
      [SSA, ROLES.exchangeAdministrator.id],
      { licences: false, recent_changes: true, settings: true, client_software: true, mail_flow_rules: true, message_trace: true },
    ],
    [
      'Global Reader sees everything it can read',
      'Microsoft Teams',
      [ROLES.globalReader.id],
      { licences: true, recent_changes: true, settings: true, client_software: true, teams_policies: true, network_ports: false },
    ],
    [
      'Global Administrator can do every check',
      'Microsoft Intune',
      [ROLES.globalAdministrator.id],
      { licences: true, recent_changes: true, settings: true, client_software: true, device_enrollment: true, compliance_policies: true },
    ],
    [
      'Exchange Administrator cannot look at SharePoint sharing',
      'SharePoint Online',
      [ROLES.exchangeAdministrator.id],
      { licences: false, recent_changes: false, settings: false, client_software: true, sharing_settings: false, site_permissions: false },
    ],
    [
      'Conditional Access Administrator for Entra sign-in problems',
      'Microsoft Entra',
      [ROLES.conditionalAccessAdministrator.id],
      { licences: false, recent_changes: true, settings: true, client_software: true, conditional_access: true, sign_in_logs: false },
    ],
  ];
  for (const [name, service, roles, expected] of table) {
    it(name, () => {
      const marked = Object.fromEntries(checklistPermissions(service, roles).map((c) => [c.check, c.allowed]));
      assert.deepEqual(marked, expected);
    });
  }

  it('names the roles a check needs, Global Administrator last', () => {
    assert.deepEqual(rolesForCheck('Exchange Online', 'mail_flow_rules').map((r) => r.name), ['Exchange Administrator', 'Global Reader', 'Global Administrator']);
    assert.deepEqual(rolesForCheck('Exchange Online', 'client_software'), []);
    assert.deepEqual(rolesForCheck('Exchange Online', 'an_unknown_check').map((r) => r.name), ['Global Administrator']);
  });
});
