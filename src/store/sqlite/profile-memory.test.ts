import { describe, expect, it } from 'vitest';
import { newProfileState, type ProfileState } from '../../profiles/profile-state.js';
import { migrate, openDatabase } from './database.js';
import { ProfileMemory } from './profile-memory.js';
import { stateRow } from './write-ops.js';

function memory(capacity = 100) {
  const db = openDatabase(':memory:');
  migrate(db);
  return { db, memory: new ProfileMemory(db, capacity) };
}

function changed(id: string, version: number): ProfileState {
  const s = newProfileState(id, 1_000);
  s.version = version;
  s.traits.plan = 'pro';
  s.eventCount = 3;
  return s;
}

/** What a checkpoint does after its write committed. */
function written(m: ProfileMemory, s: ProfileState) {
  const row = stateRow(s);
  m.writtenAt(row[0] as string, row[1] as number, row[4] as string);
}

describe('profile states in memory', () => {
  it('keeps a changed state as the object it is until a checkpoint has written it', () => {
    const { memory: m } = memory();
    const s = changed('p1', 1);
    m.markDirty(s);
    expect(m.load('p1')).toBe(s);
    expect(m.dirtyStates()).toEqual([s]);
    expect(m.dirtyCount).toBe(1);
  });

  it('keeps a written state as its object for one cooling period, then holds it as its text: each read an equal, separate copy', () => {
    const { memory: m } = memory();
    const s = changed('p1', 1);
    m.markDirty(s);
    written(m, s);
    expect(m.dirtyCount).toBe(0);
    expect(m.dirtyStates()).toEqual([]);
    // Still warm: the next event's fold reads the same object, not a fresh parse.
    expect(m.load('p1')).toBe(s);
    expect(m.warmCount).toBe(1);
    expect(m.cool()).toBe(1);
    expect(m.warmCount).toBe(0);
    expect(m.cool()).toBe(0);
    const a = m.load('p1') as ProfileState;
    expect(a).toEqual(s);
    expect(a).not.toBe(s);
    a.traits.plan = 'changed by a reader';
    expect(m.load('p1')?.traits.plan).toBe('pro');
  });

  it('does not cool a state that changed again after it was written, nor one merged away', () => {
    const { memory: m } = memory();
    const s = changed('p1', 1);
    const t = changed('p2', 1);
    m.markDirty(s);
    m.markDirty(t);
    written(m, s);
    written(m, t);
    s.version = 2;
    s.traits.plan = 'team';
    m.markDirty(s);
    m.forget('p2', 'p1');
    expect(m.cool()).toBe(0);
    expect(m.load('p1')).toBe(s);
    expect(m.dirtyStates()).toEqual([s]);
    // Written again and untouched for a period: now it goes cold, as the text of its last write.
    written(m, s);
    expect(m.cool()).toBe(1);
    const a = m.load('p1') as ProfileState;
    expect(a).not.toBe(s);
    expect(a.traits.plan).toBe('team');
    expect(a.version).toBe(2);
  });

  it('leaves a state dirty when it changed again after the checkpoint took its copy', () => {
    const { memory: m } = memory();
    const s = changed('p1', 1);
    m.markDirty(s);
    const row = stateRow(s);
    s.version = 2;
    s.traits.plan = 'team';
    m.markDirty(s);
    m.writtenAt(row[0] as string, row[1] as number, row[4] as string);
    expect(m.dirtyCount).toBe(1);
    expect(m.load('p1')).toBe(s);
    expect(m.load('p1')?.traits.plan).toBe('team');
  });

  it('reads a state that is not in memory from its row, follows merges, and never evicts a dirty state', () => {
    const { db, memory: m } = memory(2);
    const stored = changed('p-row', 4);
    db.prepare('INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, ?, ?, ?, NULL, ?)').run(...stateRow(stored));
    db.prepare("INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES ('p-old', 2, 0, 0, 'p-row', NULL)").run();
    expect(m.live('p-old')).toEqual(stored);
    const dirty = Array.from({ length: 300 }, (_, i) => changed(`d${i}`, 1));
    for (const s of dirty) m.markDirty(s);
    expect(m.dirtyCount).toBe(300);
    expect(m.dirtyStates()).toHaveLength(300);
    for (const s of dirty) written(m, s);
    // The next change evicts clean states, least recently used first, down to the capacity; an
    // evicted state is read back from its row (the d… states have none here).
    m.markDirty(changed('trigger', 1));
    expect(m.load('d0')).toBeUndefined();
    expect(m.load('trigger')?.version).toBe(1);
    expect(m.load('p-row')).toEqual(stored);
  });

  it('follows any number of uncommitted merges: 100 chained in one batch read as the last survivor until they commit', () => {
    // One batch may merge p0 into p1, p1 into p2 … (an import linking ids in a chain): until it
    // commits, the rows still read as live profiles, and the reads went no further than 64 merges.
    const { db, memory: m } = memory();
    const insert = db.prepare('INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES (?, ?, ?, ?, NULL, ?)');
    for (let k = 0; k < 100; k++) insert.run(...stateRow(changed(`p${k}`, 1)));
    const survivor = changed('p100', 2);
    m.markDirty(survivor);
    for (let k = 0; k < 100; k++) m.forget(`p${k}`, `p${k + 1}`);
    expect(m.joined('p0')).toBe('p100');
    expect(m.live('p0')).toBe(survivor);
    expect(m.live('p70')).toBe(survivor);
    expect(m.absorbing('p100')).toHaveLength(100);
  });

  it('says so, rather than reading as no profile, when merges it follows form a cycle', () => {
    const { db, memory: m } = memory();
    db.prepare("INSERT INTO profiles (id, version, created_at, updated_at, merged_into, state) VALUES ('c1', 2, 0, 0, 'c2', NULL), ('c2', 2, 0, 0, 'c1', NULL)").run();
    expect(() => m.live('c1')).toThrow(/c1.*cycle/);
  });
});
