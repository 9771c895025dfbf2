import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_POLICY, buildPolicySet, chooseAutoModel, decide, parsePolicy, type ScanSummary } from '../../src/policy/index.ts';

const scan = (...findings: ScanSummary['findings']): ScanSummary => ({
  level: findings.reduce((l, f) => (['public', 'internal', 'sensitive', 'classified'].indexOf(f.level) > ['public', 'internal', 'sensitive', 'classified'].indexOf(l) ? f.level : l), 'public' as ScanSummary['level']),
  findings,
});
const external = { name: 'cloud', zone: 'external' as const };
const priv = { name: 'inhouse', zone: 'private' as const };

describe('policy decisions (defaults of DESIGN.md)', () => {
  it('allows public content anywhere', () => {
    const d = decide(DEFAULT_POLICY, external, scan());
    assert.equal(d.action, 'allow');
  });

  it('pseudonymizes sensitive content toward external models and passes it to private ones', () => {
    const s = scan({ type: 'cn_mobile', level: 'sensitive' });
    const ext = decide(DEFAULT_POLICY, external, s);
    assert.equal(ext.action, 'pseudonymize');
    assert.ok(ext.action === 'pseudonymize' && ext.pseudonymize.has('cn_mobile'));
    assert.equal(decide(DEFAULT_POLICY, priv, s).action, 'allow');
  });

  it('pseudonymizes secrets even toward private models', () => {
    const d = decide(DEFAULT_POLICY, priv, scan({ type: 'secret', level: 'sensitive' }));
    assert.equal(d.action, 'pseudonymize');
  });

  it('refuses classified content everywhere with classified_content', () => {
    for (const target of [external, priv]) {
      const d = decide(DEFAULT_POLICY, target, scan({ type: 'classified_marking', level: 'classified' }, { type: 'cn_mobile', level: 'sensitive' }));
      assert.equal(d.action, 'block');
      assert.ok(d.action === 'block' && d.code === 'classified_content' && d.reasons.classified_marking === 1 && !('cn_mobile' in d.reasons));
    }
  });

  it('a value inside an attachment cannot be pseudonymized: rerouted to the private model, refused without one', () => {
    const s = scan({ type: 'cn_mobile', level: 'sensitive', opaque: true }, { type: 'person_name', level: 'sensitive' });
    const d = decide(DEFAULT_POLICY, external, s, priv);
    assert.ok(d.action === 'allow' && d.rerouted && d.target === 'inhouse', JSON.stringify(d));
    const refused = decide(DEFAULT_POLICY, external, s);
    assert.ok(refused.action === 'block' && refused.code === 'policy_blocked' && refused.inAttachment === true && refused.reasons.cn_mobile === 1);
    // The same value as text is pseudonymized as before; toward a private model the attachment goes as it is.
    assert.equal(decide(DEFAULT_POLICY, external, scan({ type: 'cn_mobile', level: 'sensitive' }), priv).action, 'pseudonymize');
    assert.equal(decide(DEFAULT_POLICY, priv, s).action, 'allow');
    // What the policy lets out unchanged stays unchanged; a secret, pseudonymized even toward private models, is refused.
    const lenient = parsePolicy({ types: { ip_address: { private: 'allow', external: 'allow' } } }).policy;
    const ip = decide(lenient, external, scan({ type: 'ip_address', level: 'internal', opaque: true }), priv);
    assert.ok(ip.action === 'allow' && !ip.rerouted);
    const secret = decide(DEFAULT_POLICY, priv, scan({ type: 'secret', level: 'sensitive', opaque: true }), priv);
    assert.ok(secret.action === 'block' && secret.inAttachment === true);
  });

  it('an attachment that cannot be read goes to the private model by default, is refused without one, and a policy may let it out', () => {
    const s: ScanSummary = { level: 'public', findings: [], unreadAttachments: 2 };
    const d = decide(DEFAULT_POLICY, external, s, priv);
    assert.ok(d.action === 'allow' && d.rerouted && d.target === 'inhouse');
    const refused = decide(DEFAULT_POLICY, external, s);
    assert.ok(refused.action === 'block' && refused.code === 'policy_blocked' && refused.inAttachment === true);
    assert.deepEqual(refused.action === 'block' && refused.reasons, { unreadable_attachment: 2 });
    assert.equal(decide(DEFAULT_POLICY, priv, s).action, 'allow');
    const open = parsePolicy({ unreadable_attachments: 'allow' });
    assert.deepEqual(open.problems, []);
    assert.ok(decide(open.policy, external, s).action === 'allow');
    // Pseudonymizing what was not read is impossible: it is a reroute.
    const pseudo = parsePolicy({ unreadable_attachments: { external: 'pseudonymize' } }).policy;
    assert.equal(decide(pseudo, external, s).action, 'block');
    assert.deepEqual(parsePolicy({ unreadable_attachments: 'maybe' }).problems, ['policy.unreadable_attachments: expected one of allow, pseudonymize, reroute, block or { private: …, external: … }']);
  });

  it('reroutes source code to the private model, and refuses it when there is none', () => {
    const s = scan({ type: 'source_code', level: 'sensitive' }, { type: 'secret', level: 'sensitive' });
    const d = decide(DEFAULT_POLICY, external, s, priv);
    assert.ok(d.action === 'pseudonymize' && d.rerouted && d.target === 'inhouse' && d.zone === 'private' && d.pseudonymize.has('secret'));
    const none = decide(DEFAULT_POLICY, external, s);
    assert.ok(none.action === 'block' && none.code === 'policy_blocked' && none.reasons.source_code === 1);
  });

  it('lets a classified network allow classified content to private models', () => {
    const { policy, problems } = parsePolicy({ levels: { classified: { private: 'allow' } } });
    assert.deepEqual(problems, []);
    assert.equal(decide(policy, priv, scan({ type: 'classified_marking', level: 'classified' })).action, 'allow');
    assert.equal(decide(policy, external, scan({ type: 'classified_marking', level: 'classified' })).action, 'block');
  });

  it('chooses the private model for "auto" when the request is sensitive', () => {
    const { policy } = parsePolicy({ private_model: 'inhouse', general_model: 'cloud' });
    assert.equal(chooseAutoModel(policy, scan({ type: 'person_name', level: 'sensitive' })), 'inhouse');
    assert.equal(chooseAutoModel(policy, scan({ type: 'ip_address', level: 'internal' })), 'cloud');
  });

  it('merges tenant overrides over the defaults and keeps policies frozen', () => {
    const { set, problems } = buildPolicySet({ general_model: 'cloud', tenants: { 纪检: { general_model: null, types: { email: 'block' } } } }, [external, priv]);
    assert.deepEqual(problems, []);
    assert.equal(set.forTenant('其他').generalModel, 'cloud');
    assert.equal(set.forTenant('纪检').generalModel, null);
    assert.equal(set.forTenant('纪检').types.email?.external, 'block');
    assert.equal(set.forTenant('纪检').types.secret?.private, 'pseudonymize', 'inherited default type rule');
    assert.ok(Object.isFrozen(set.forTenant('纪检').levels));
  });

  it('refuses external models in air-gapped mode', () => {
    const { problems } = buildPolicySet({ air_gapped: true }, [external, priv]);
    assert.match(problems.join('\n'), /"cloud" is zone external, but policy\.air_gapped is true/);
  });
});

describe('public terms in a policy', () => {
  it('are read, and a department\'s list replaces the one above it', () => {
    const org = parsePolicy({ public_terms: ['高德', '比斯特购物村'] });
    assert.deepEqual(org.problems, []);
    assert.deepEqual(org.policy.publicTerms, ['高德', '比斯特购物村']);
    assert.deepEqual(parsePolicy({ custom_terms: ['天穹计划'] }, org.policy).policy.publicTerms, ['高德', '比斯特购物村'], 'inherited');
    assert.deepEqual(parsePolicy({ public_terms: [] }, org.policy).policy.publicTerms, [], 'replaced');
    assert.deepEqual(DEFAULT_POLICY.publicTerms, []);
  });

  it('hostile: what is not a list of terms is a problem naming the entry, and nothing of it is kept', () => {
    assert.deepEqual(parsePolicy({ public_terms: '高德' }).problems, ['policy.public_terms: expected a list of strings']);
    const bad = parsePolicy({ public_terms: ['高德', '张', 7] });
    assert.deepEqual(bad.problems, [
      'policy.public_terms[1]: expected 2–64 characters besides blanks, got 1',
      'policy.public_terms[2]: expected a string',
    ]);
    assert.deepEqual(bad.policy.publicTerms, []);
    assert.match(parsePolicy({ public_terms: Array.from({ length: 10_001 }, (_, i) => `词${i}`) }).problems[0], /at most 10000 terms/);
  });
});
