import fc from 'fast-check';
import { allExcept, meshHostRegex } from './selectors';

/** Prometheus anchors label regexes at both ends. */
const full = (re: string) => new RegExp(`^(?:${re})$`);

describe('allExcept', () => {
  it('matches every non-empty string of the class but the word, whatever the word', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('u', 'n', 'k', 'x', '.', ':'), maxLength: 9 }),
        fc.string({ minLength: 1, maxLength: 5, unit: fc.constantFrom('u', 'n', 'k', 'x') }),
        (s, word) => {
          const want = /^[^.:]+$/.test(s) && s !== word;
          expect(full(allExcept(word, '[^.:]')).test(s)).toBe(want);
        }
      ),
      { numRuns: 2000 }
    );
  });
});

describe('meshHostRegex', () => {
  it.each([
    ['reviews', true],
    ['reviews:9080', true],
    ['reviews.shop.svc.cluster.local', true],
    ['unknownish', true],
    ['unknow', true],
    // What Envoy writes for a request without a Host header: it may go anywhere, so never a mesh name.
    ['unknown', false],
    ['api.example.com', false],
  ])('%s names a mesh service: %s', (host, mesh) => {
    expect(full(meshHostRegex({})).test(host)).toBe(mesh);
  });
});
