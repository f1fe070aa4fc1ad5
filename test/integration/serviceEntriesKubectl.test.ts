import fc from 'fast-check';
import { serviceEntriesYaml, serviceEntryTarget } from '../../src/query/serviceEntries';
import { kubectlYaml } from './kubectlYaml';
import { passthroughCell } from './cells';

/**
 * ServiceEntry YAML read the way kubectl reads it: test/tools/kubectl-yaml is apimachinery's YAMLReader
 * and sigs.k8s.io/yaml (go-yaml, YAML 1.1), built from the Go module registry. A YAML 1.2 library would
 * accept what kubectl reads differently (U+0085, U+2028, U+2029 as line breaks; C1 controls rejected).
 */

const kubectl = kubectlYaml();
beforeAll(() => kubectl.build(), 300_000);
afterAll(() => kubectl.close());

interface ParsedEntry {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: { hosts: string[]; addresses?: string[]; location: string; resolution: string };
}

const kubectlDocs = (yamlText: string) => kubectl.parse<ParsedEntry>(yamlText);

const cell = passthroughCell;

describe('ServiceEntry YAML as kubectl parses it', () => {
  it('line breaks of YAML 1.1 in a Host add no keys and no documents; C1 controls do not break the file', () => {
    const hostile = [
      'a.example.com\u2028status: {injected: true}',
      'b.example.com\u0085---\u0085apiVersion: networking.istio.io/v1',
      'c.example.com\u2029metadata: {name: dup}',
      'd.example.com\u0080\u009f\u007f',
      '*.com',
      'x"y\\z',
    ];
    // Namespaces and workloads come from labels too, and end up in comments and metadata.
    const text = serviceEntriesYaml(
      [...hostile.map((h) => cell(h)), cell('api.stripe.com', { sourceWorkload: 'w\u0085kind: Secret' })],
      {
        scope: 'namespace',
        header: 'seen\u2028injected: true',
      }
    );
    expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
    const docs = kubectlDocs(text);
    expect(docs).toHaveLength(1);
    expect(Object.keys(docs[0])).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(docs[0].spec.hosts).toEqual(['api.stripe.com']);
    expect(text).toContain('# Refused 6 destination(s)');
    expect(text).toContain('"a.example.com\\u2028status: {injected: true}": not a DNS name');
  });

  it('equal hosts merge (case, trailing dot) and different hosts never share an object name', () => {
    const docs = kubectlDocs(
      serviceEntriesYaml(
        ['api.example.com', 'api-example.com', 'Example.COM', 'example.com.', '1.2.3.4'].map((h) => cell(h)),
        { scope: 'namespace' }
      )
    );
    expect(docs.map((d) => d.spec.hosts[0]).sort()).toEqual(
      ['1-2-3-4.external', 'api-example.com', 'api.example.com', 'example.com'].sort()
    );
    const names = docs.map((d) => d.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(docs.find((d) => d.spec.hosts[0] === '1-2-3-4.external')).toMatchObject({
      spec: { addresses: ['1.2.3.4/32'], resolution: 'NONE' },
    });
  });

  it('any Unicode host: kubectl reads exactly the intended entries, with unique names', () => {
    const host = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({
        unit: fc.constantFrom(...'aZ0-.*:/ "\\#\n\u0085\u2028\u2029\u0080\u009f\ufeff'.split('')),
        maxLength: 20,
      }),
      fc.domain()
    );
    fc.assert(
      fc.property(fc.uniqueArray(host, { minLength: 1, maxLength: 8 }), (hosts) => {
        const text = serviceEntriesYaml(
          hosts.map((h) => cell(h)),
          { scope: 'mesh' }
        );
        const docs = kubectlDocs(text);
        const intended = new Set<string>();
        for (const h of hosts) {
          const t = serviceEntryTarget(h, 'http');
          if (t.kind === 'host') {
            intended.add(t.host);
          } else if (t.kind === 'address') {
            intended.add(t.address);
          }
        }
        expect(docs).toHaveLength(intended.size);
        for (const d of docs) {
          expect(Object.keys(d)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
          expect(d.kind).toBe('ServiceEntry');
          expect(d.spec.location).toBe('MESH_EXTERNAL');
        }
        const got = docs.map((d) => (d.spec.addresses ? d.spec.addresses[0].replace(/\/\d+$/, '') : d.spec.hosts[0]));
        expect(new Set(got)).toEqual(intended);
        expect(new Set(docs.map((d) => d.metadata.name)).size).toBe(docs.length);
      }),
      { numRuns: 150 }
    );
  });
});
