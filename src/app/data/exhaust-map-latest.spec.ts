import { Subject, of } from 'rxjs';
import { waitFor } from '../testing/test-support';
import { exhaustMapLatest } from './exhaust-map-latest';

describe('exhaustMapLatest', () => {
  it('runs one at a time and then only the latest value that came meanwhile', async () => {
    const pending = new Map<number, () => void>();
    const started: number[] = [];
    const results: string[] = [];
    const source = new Subject<number>();
    source
      .pipe(
        exhaustMapLatest((value) => {
          started.push(value);
          return new Promise<string>((resolve) => pending.set(value, () => resolve(`result ${value}`)));
        }),
      )
      .subscribe((result) => results.push(result));
    source.next(1);
    source.next(2);
    source.next(3);
    expect(started).toEqual([1]);

    pending.get(1)!();
    await waitFor(() => started.length === 2, 'the next run');
    expect(started).toEqual([1, 3]);
    expect(results).toEqual(['result 1']);

    pending.get(3)!();
    await waitFor(() => results.length === 2, 'the second result');
    source.next(4);
    expect(started).toEqual([1, 3, 4]);
    pending.get(4)!();
    await waitFor(() => results.length === 3, 'the third result');
    expect(results).toEqual(['result 1', 'result 3', 'result 4']);
  });

  it('keeps going after a value that came while nothing ran', async () => {
    const source = new Subject<number>();
    const results: number[] = [];
    source.pipe(exhaustMapLatest(async (value) => value * 10)).subscribe((result) => results.push(result));
    source.next(1);
    await waitFor(() => results.length === 1, 'the first result');
    source.next(2);
    await waitFor(() => results.length === 2, 'the second result');
    expect(results).toEqual([10, 20]);
  });

  it('keeps going after a run that ends at once', async () => {
    const source = new Subject<number>();
    const results: number[] = [];
    source.pipe(exhaustMapLatest((value) => of(value * 10))).subscribe((result) => results.push(result));
    source.next(1);
    await waitFor(() => results.length === 1, 'the first result');
    source.next(2);
    await waitFor(() => results.length === 2, 'the second result');
    expect(results).toEqual([10, 20]);
  });
});
