import { rowsAsJson } from '@app/storage/warehouse/staged-merge';

describe('warehouse rows as JSON', () => {
  const columns = ['id', 'title', 'score', 'flag', 'at', 'missing'];

  it('reads back as one object per row, keyed by column', () => {
    const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    const rows = [
      ['t1_a', 'quote " backslash \\ newline \n é 😀 \u0000', 12, true, at, undefined],
      ['t1_b', null, -1.5, false, '2025-01-01T00:00:00.000Z', null],
      ['t1_c', '', Number.NaN, null, null, 'x'],
    ];
    const text = rowsAsJson(columns, rows);
    const reference = JSON.stringify(
      rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]))),
    );
    expect(JSON.parse(text)).toEqual(JSON.parse(reference));
    expect(text).toBe(reference);
  });

  it('writes an empty array for no rows', () => {
    expect(rowsAsJson(columns, [])).toBe('[]');
  });
});
