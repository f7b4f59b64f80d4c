import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { TimeZone, TimeZones, canonicalTimeZone, localToUtc, requestTime, wallClock } from '../../src/domain/local-time';

describe('domain/local-time', () => {
  describe('canonicalTimeZone', () => {
    const table: Array<[unknown, string | undefined]> = [
      ['Asia/Seoul', 'Asia/Seoul'],
      ['asia/seoul', 'Asia/Seoul'],
      ['America/Los_Angeles', 'America/Los_Angeles'],
      ['Asia/Kolkata', 'Asia/Kolkata'],
      ['Europe/Kyiv', 'Europe/Kyiv'],
      ['UTC', 'UTC'],
      ['utc', 'UTC'],
      ['Etc/UTC', 'UTC'],
      ['UTC+09:00', 'UTC+09:00'],
      ['UTC+9', 'UTC+09:00'],
      ['UTC-05:30', 'UTC-05:30'],
      ['Fantasia/Castle', undefined],
      ['', undefined],
      [null, undefined],
      [42, undefined],
      ['Asia/Seoul; DROP TABLE', undefined],
      ['A'.repeat(65), undefined],
    ];
    for (const [name, expected] of table) {
      it(`${JSON.stringify(name)?.slice(0, 30)} → ${String(expected)}`, () => assert.equal(canonicalTimeZone(name), expected));
    }
  });

  describe('localToUtc', () => {
    it('Seoul 01:05 on 2026-12-05 is 16:05Z the day before', () => {
      assert.equal(localToUtc('2026-12-05', '01:05', 'Asia/Seoul')?.at.toISOString(), '2026-12-04T16:05:00.000Z');
    });

    it('Pacific 08:00 in December (PST, UTC-8) is 16:00Z', () => {
      assert.equal(localToUtc('2026-12-05', '08:00', 'America/Los_Angeles')?.at.toISOString(), '2026-12-05T16:00:00.000Z');
    });

    it('Pacific 08:00 in July (PDT, UTC-7) is 15:00Z', () => {
      assert.equal(localToUtc('2026-07-05', '08:00', 'America/Los_Angeles')?.at.toISOString(), '2026-07-05T15:00:00.000Z');
    });

    it('accepts seconds, and UTC and fixed offsets as zones', () => {
      assert.equal(localToUtc('2026-12-05', '08:00:30', 'UTC')?.at.toISOString(), '2026-12-05T08:00:30.000Z');
      assert.equal(localToUtc('2026-12-05', '08:00', 'UTC+09:00')?.at.toISOString(), '2026-12-04T23:00:00.000Z');
    });

    it('a time the clocks skipped (02:30 on 2026-03-08, Pacific) is read as 03:30 PDT, flagged', () => {
      const read = localToUtc('2026-03-08', '02:30', 'America/Los_Angeles');
      assert.equal(read?.at.toISOString(), '2026-03-08T10:30:00.000Z');
      assert.equal(read?.adjustment, 'skipped');
    });

    it('a time that happened twice (01:30 on 2026-11-01, Pacific) is read as its first occurrence (PDT), flagged', () => {
      const read = localToUtc('2026-11-01', '01:30', 'America/Los_Angeles');
      assert.equal(read?.at.toISOString(), '2026-11-01T08:30:00.000Z');
      assert.equal(read?.adjustment, 'repeated');
    });

    it('a skipped time in a zone that jumps across midnight is read after the jump (Santiago, 2026-09-06 00:30)', () => {
      const read = localToUtc('2026-09-06', '00:30', 'America/Santiago');
      assert.equal(read?.adjustment, 'skipped');
      assert.equal(wallClock(read?.at.toISOString() ?? '', 'America/Santiago')?.time, '01:30');
    });

    it('days and times that do not exist, and unknown zones, are refused', () => {
      assert.equal(localToUtc('2026-02-30', '08:00', 'Asia/Seoul'), undefined);
      assert.equal(localToUtc('2026-12-05', '24:00', 'Asia/Seoul'), undefined);
      assert.equal(localToUtc('2026-12-05', '08:61', 'Asia/Seoul'), undefined);
      assert.equal(localToUtc('2026-12-5', '08:00', 'Asia/Seoul'), undefined);
      assert.equal(localToUtc('2026-12-05', '08:00', 'Fantasia/Castle'), undefined);
    });
  });

  describe('wallClock', () => {
    it('shows an instant in the reader’s zone with its offset', () => {
      assert.deepEqual(wallClock('2026-12-04T16:05:00.000Z', 'Asia/Seoul'), { date: '2026-12-05', time: '01:05', zone: 'Asia/Seoul', offsetMinutes: 540 });
      assert.deepEqual(wallClock('2026-12-04T16:05:00.000Z', 'America/Los_Angeles'), {
        date: '2026-12-04',
        time: '08:05',
        zone: 'America/Los_Angeles',
        offsetMinutes: -480,
      });
    });

    it('falls back to UTC, named, for no zone or an unknown one', () => {
      assert.equal(wallClock('2026-12-04T16:05:00.000Z', undefined)?.zone, 'UTC');
      assert.deepEqual(wallClock('2026-12-04T16:05:00.000Z', 'Fantasia/Castle'), { date: '2026-12-04', time: '16:05', zone: 'UTC', offsetMinutes: 0 });
      assert.equal(wallClock('not a time', 'UTC'), undefined);
    });
  });

  describe('TimeZone', () => {
    const zones = ['Asia/Seoul', 'America/Los_Angeles', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago', 'UTC+05:30', 'UTC'];

    it('reads any instant as luxon does, in zones with odd offsets and daylight saving', () => {
      fc.assert(
        fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }), (name, ms) => {
          const read = TimeZone.of(name)?.wallClock(new Date(ms));
          const expected = DateTime.fromMillis(ms, { zone: name === 'UTC+05:30' ? 'UTC+5:30' : name });
          assert.deepEqual(read, { date: expected.toFormat('yyyy-LL-dd'), time: expected.toFormat('HH:mm'), zone: name, offsetMinutes: expected.offset });
        }),
        { numRuns: 500 },
      );
    });

    it('round-trips: a wall clock read back in its zone is the same minute', () => {
      fc.assert(
        fc.property(fc.constantFrom(...zones), fc.integer({ min: 946_684_800, max: 2_208_988_800 }).map((s) => new Date(s * 1000 - ((s * 1000) % 60_000))), (name, at) => {
          const local = TimeZone.of(name)?.wallClock(at);
          assert.ok(local);
          const back = localToUtc(local.date, local.time, name);
          // A repeated hour reads back as its first occurrence: equal, or one DST shift earlier.
          const diff = at.getTime() - (back?.at.getTime() ?? Number.NaN);
          assert.ok(diff === 0 || (back?.adjustment === 'repeated' && diff > 0 && diff <= 2 * 3_600_000), `${name} ${at.toISOString()} → ${back?.at.toISOString()}`);
        }),
        { numRuns: 500 },
      );
    });

    it('TimeZones keeps one zone per name, and refuses what is not a zone', () => {
      const known = new TimeZones(2);
      assert.equal(known.get('Asia/Seoul'), known.get('Asia/Seoul'));
      assert.equal(known.get('Fantasia/Castle'), undefined);
      assert.equal(known.get(undefined), undefined);
      // Past its bound it still answers, building the zone each time.
      assert.equal(known.get('Europe/Paris')?.name, 'Europe/Paris');
    });
  });

  describe('requestTime', () => {
    it('writes UTC first, then the engineer’s reading and offset', () => {
      assert.equal(requestTime('2026-12-05T16:00:00.000Z', 'America/Los_Angeles'), '2026-12-05 16:00 UTC (08:00 America/Los_Angeles, UTC-08:00)');
    });

    it('repeats the local date when it is another day', () => {
      assert.equal(requestTime('2026-12-04T16:05:00.000Z', 'Asia/Seoul'), '2026-12-04 16:05 UTC (2026-12-05 01:05 Asia/Seoul, UTC+09:00)');
    });

    it('plain UTC without a zone', () => {
      assert.equal(requestTime('2026-12-05T16:00:00.000Z', undefined), '2026-12-05 16:00 UTC');
      assert.equal(requestTime('2026-12-05T16:00:00.000Z', 'UTC'), '2026-12-05 16:00 UTC');
    });
  });
});
