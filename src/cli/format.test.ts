import type { EgressCell } from '../query/cells';
import { displayWidth, table } from './format';

const cell = (sourceWorkload: string, destination: string): EgressCell => ({
  sourceNamespace: 'shop',
  sourceWorkload,
  destination,
  verdict: 'passthrough',
  listener: 'http',
  requests: 3,
  connections: 0,
  bytesSent: 0,
  bytesReceived: 0,
  category: 'external',
});

describe('the CLI table', () => {
  it('measures what a terminal shows: wide CJK and emoji take two columns, combining marks none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('日本')).toBe(4);
    expect(displayWidth('😀')).toBe(2);
    expect(displayWidth('é')).toBe(1);
    expect(displayWidth('e\u0301')).toBe(1);
  });

  it('aligns columns by display width, whatever the workload names hold', () => {
    const lines = table([cell('café-日本-😀', 'a.example.com'), cell('plain', 'b.example.com')])
      .trimEnd()
      .split('\n');
    const column = (line: string) => displayWidth(line.slice(0, line.indexOf('.example.com') - 1));
    expect(new Set(lines.slice(1).map(column)).size).toBe(1);
  });
});
