import { expect, test } from '@playwright/test';
import { expectSyncState, logIn, pick } from './support/app-actions';
import { addPhotos, makeTestImage } from './support/inspector';
import { DEMO_PASSWORD } from './support/e2e-env';
import { serverAdmin } from './support/server-admin';
import { inspection as inspectionFixture } from '../test/fixtures/documents';

/** Server-side replication jobs carry assignments into alice's database and her work into the hub. */
const REPLICATION_MS = 20_000;

test('a supervisor assigns an inspection, the inspector answers every item and submits it (read-only from then), the supervisor reviews its checklist, defect and photo, approves and shares it after confirming, undoes, approves again, it stays locked and reaches the partner; reopened, it is editable again and the partner loses it', async ({
  browser,
}) => {
  // Three people and rounds of server-side replication: 60 s on a quiet CI machine, 150 s on a loaded one.
  test.setTimeout(240_000);
  const samContext = await browser.newContext();
  const aliceContext = await browser.newContext();
  const sam = await samContext.newPage();
  const alice = await aliceContext.newPage();
  const title = `Assigned ${Date.now()}`;

  await logIn(sam, 'sam');
  // The login page navigates to the list once the workspace is open; a click before that is overridden.
  await expect(sam).toHaveURL(/\/inspections$/);
  await sam.getByTestId('nav-supervisor').click();
  await expect(sam).toHaveURL(/\/supervisor$/);
  await sam.getByTestId('assign-title').fill(title);
  await sam.getByTestId('assign-site').fill('Dock 7');
  await pick(sam, 'assign-inspector', 'alice');
  await sam.getByTestId('assign-submit').click();
  await expect(sam.getByTestId('assign-message')).toContainText(title);

  await logIn(alice, 'alice');
  await expectSyncState(alice, 'paused');
  const row = alice.getByTestId('inspection-row').filter({ hasText: title });
  await expect(row).toBeVisible({ timeout: REPLICATION_MS });
  await row.click();
  await expect(alice.getByTestId('inspection-heading')).toHaveText(title);
  // A defect, recorded while the inspection is a draft.
  await alice.getByTestId('add-defect').click();
  await alice.getByTestId('defect-title').fill('Handrail loose');
  await alice.getByTestId('defect-location').fill('Stair B');
  await alice.getByTestId('severity-3').click();
  // With a photo, which the supervisor will see in the review.
  await addPhotos(alice, [await makeTestImage(alice, 5, 'image/jpeg', 800, 600)]);
  await alice.getByTestId('save-defect').click();
  await expect(alice).toHaveURL(/\/defects\/defect:/);
  await expect(alice.getByTestId('photo-thumb')).toHaveCount(1);
  const defectUrl = alice.url();
  await alice.goBack();
  await expect(alice.getByTestId('defect-row')).toHaveCount(1);

  // Submitting with unanswered items lists them instead; every item answered (N/A counts), it goes.
  const items = alice.getByTestId('checklist-item');
  const count = await items.count();
  await items.first().getByTestId('result-pass').click();
  await alice.getByTestId('submit-inspection').click();
  await expect(alice.getByTestId('unanswered-item')).toHaveCount(count - 1);
  await expect(alice.getByTestId('inspection-status')).toHaveAttribute('data-status', 'draft');
  for (let i = 1; i < count; i++)
    await items
      .nth(i)
      .getByTestId(i === 1 ? 'result-na' : 'result-pass')
      .click();
  await expect(alice.getByTestId('unanswered-items')).toHaveCount(0);
  await alice.getByTestId('submit-inspection').click();
  await expect(alice.getByTestId('inspection-status')).toHaveAttribute('data-status', 'submitted');
  // Submitted: read-only for alice until sam reviews it.
  await expect(alice.getByTestId('read-only-reason')).toHaveText('Submitted — read-only until your supervisor reviews it.');
  await expect(alice.getByTestId('inspection-title')).toBeDisabled();
  await expect(alice.getByTestId('save-inspection')).toHaveCount(0);
  await expect(alice.getByTestId('add-defect')).toHaveCount(0);
  // Its defect too: renaming it or changing its severity is no longer offered.
  await alice.getByTestId('defect-row').click();
  await expect(alice.getByTestId('read-only-reason')).toHaveText('Submitted — read-only until your supervisor reviews it.');
  await expect(alice.getByTestId('defect-title')).toBeDisabled();
  await expect(alice.getByTestId('save-defect')).toHaveCount(0);
  await alice.goBack();

  // The queue has no decisions of its own: the submission opens its review page.
  const submitted = sam.getByTestId('submitted-row').filter({ hasText: title });
  await expect(submitted).toBeVisible({ timeout: REPLICATION_MS });
  await expect(sam.getByTestId('approve')).toHaveCount(0);
  await submitted.click();
  await expect(sam).toHaveURL(/\/supervisor\/inspections\/inspection/);
  // Read-only, everything alice wrote: her answers, her defect and its photo (from the hub).
  await expect(sam.getByTestId('review-heading')).toHaveText(title);
  await expect(sam.getByTestId('review-status')).toHaveText('Submitted');
  await expect(sam.getByTestId('review-inspector')).toHaveText('alice');
  await expect(sam.getByTestId('review-last-change')).toContainText('alice');
  await expect(sam.getByTestId('review-checklist-item')).toHaveCount(count);
  await expect(sam.getByTestId('review-checklist-item').nth(0)).toHaveAttribute('data-result', 'pass');
  await expect(sam.getByTestId('review-checklist-item').nth(1)).toHaveAttribute('data-result', 'na');
  await expect(sam.getByTestId('review-defect-title')).toHaveText('Handrail loose');
  await expect(sam.getByTestId('review-defect-severity')).toContainText('3');
  await expect(sam.getByTestId('review-defect-summary')).toHaveText('Stair B · open · 1 photo');
  await expect(sam.getByTestId('review-defect').getByTestId('photo-thumb')).toHaveCount(1);
  await sam.getByTestId('review-defect').locator('button.thumb').click();
  await expect(sam.getByTestId('photo-full')).toBeVisible();
  await expect.poll(() => sam.getByTestId('photo-full').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(800);
  await sam.keyboard.press('Escape');
  await expect(sam.getByTestId('photo-full')).toHaveCount(0);
  await expect(sam.getByTestId('remove-photo')).toHaveCount(0);
  await expect(sam.getByTestId('photo-input')).toHaveCount(0);

  // A second screen on the same review (another supervisor's, here a tab) follows the hub live.
  const watching = await samContext.newPage();
  await watching.goto(sam.url());
  await expect(watching.getByTestId('review-status')).toHaveText('Submitted');
  await expect(watching.getByTestId('approve')).toBeVisible();

  // Approve with a comment and a partner for this inspection, once confirmed; then undo it.
  await sam.getByTestId('review-comment').fill('Looks good');
  await pick(sam, 'review-partners', 'acme');
  await sam.getByTestId('approve').click();
  await expect(sam.getByTestId('confirm-approve-message')).toContainText('shared with acme');
  await sam.getByTestId('confirm-approve-confirm').click();
  await expect(sam.getByTestId('review-status')).toHaveText('Approved');
  await expect(sam.getByTestId('review-shared-with')).toHaveText('acme');
  // The other screen shows the decision without a reload, and offers none of its own.
  await expect(watching.getByTestId('review-status')).toHaveText('Approved');
  await expect(watching.getByTestId('approve')).toHaveCount(0);
  // The history shows the decision as soon as it is made: Sam's save, newest first.
  const newestEntry = sam.getByTestId('audit-entry').first();
  await expect(newestEntry.getByTestId('audit-user')).toHaveText('sam');
  await expect(newestEntry).toContainText(/Submitted\s*→\s*Approved/);
  const snackBar = sam.locator('mat-snack-bar-container');
  await expect(snackBar).toContainText('Approved.');
  await snackBar.getByRole('button', { name: 'Undo' }).click();
  await expect(sam.getByTestId('review-status')).toHaveText('Submitted');
  await expect(sam.getByTestId('review-shared-with')).toHaveCount(0);
  await expect(snackBar).toContainText('Decision undone');
  await expect(newestEntry).toContainText(/Approved\s*→\s*Submitted/);
  await expect(watching.getByTestId('review-status')).toHaveText('Submitted');
  await expect(watching.getByTestId('audit-entry').first()).toContainText(/Approved\s*→\s*Submitted/);
  await watching.close();
  // Approved again: the comment and partner typed are still there.
  await expect(sam.getByTestId('review-comment')).toHaveValue('Looks good');
  await sam.getByTestId('approve').click();
  await sam.getByTestId('confirm-approve-confirm').click();
  await expect(sam.getByTestId('review-status')).toHaveText('Approved');
  const reviewUrl = sam.url();
  await sam.getByTestId('back-to-queue').click();
  await expect(sam.getByTestId('submitted-row').filter({ hasText: title })).toHaveCount(0);

  // Alice stays on the inspection: the approval arrives by replication and locks the form.
  await expect(alice.getByTestId('inspection-status')).toHaveAttribute('data-status', 'approved', { timeout: REPLICATION_MS });
  await expect(alice.getByText('Supervisor: Looks good')).toBeVisible();
  await expect(alice.getByTestId('read-only-reason')).toHaveText('Approved — read-only.');
  await expect(alice.getByTestId('inspection-title')).toBeDisabled();
  await expect(alice.getByTestId('save-inspection')).toHaveCount(0);
  await expect(alice.getByTestId('submit-inspection')).toHaveCount(0);
  // The approval reached the defect's copy of the status as well.
  await alice.goto(defectUrl);
  await expect(alice.getByTestId('read-only-reason')).toHaveText('Approved — read-only.', { timeout: REPLICATION_MS });
  await expect(alice.getByTestId('defect-title')).toBeDisabled();

  // Shared on approval: the partner's database, read as the partner with Basic auth as their CouchDB would.
  const acme = { authorization: `Basic ${Buffer.from(`acme:${DEMO_PASSWORD}`).toString('base64')}` };
  const partnerCopy = async () => {
    const response = await sam.request.get('/db/partner-acme/_all_docs?include_docs=true', { headers: acme });
    const { rows } = (await response.json()) as { rows: { doc: { title: string; status: string; partners?: string[] } }[] };
    return rows.map(({ doc }) => doc).find((doc) => doc.title === title) ?? null;
  };
  await expect.poll(partnerCopy, { timeout: REPLICATION_MS }).toEqual(expect.objectContaining({ status: 'approved', partners: ['acme'] }));

  // Something was wrong after all: sam reopens the approval. It goes back to alice to be
  // corrected, and acme no longer has it.
  await sam.goto(reviewUrl);
  await sam.getByTestId('review-comment').fill('The photo shows stair A');
  await sam.getByTestId('reopen').click();
  await expect(sam.getByTestId('confirm-reopen-message')).toContainText('taken back from acme');
  await sam.getByTestId('confirm-reopen-confirm').click();
  await expect(sam.getByTestId('review-status')).toHaveText('Rejected');
  await expect(sam.getByTestId('review-shared-with')).toHaveCount(0);
  await expect.poll(partnerCopy, { timeout: REPLICATION_MS }).toBeNull();
  await expect(alice.getByTestId('read-only-reason')).toHaveCount(0, { timeout: REPLICATION_MS });
  await expect(alice.getByTestId('defect-title')).toBeEnabled();

  await samContext.close();
  await aliceContext.close();
});

test("a supervisor's team list holds every inspection in the hub, filtered by inspector, status and dates", async ({ page }) => {
  await logIn(page, 'sam');
  await expect(page).toHaveURL(/\/inspections$/);
  // The team's work as the fan-in brings it, in a month of its own so other tests' inspections stay out.
  const hub = serverAdmin().use('inspections');
  const stamp = Date.now();
  const answered = [{ id: 'c1', label: 'Valves', result: 'pass' }];
  const docs = [
    inspectionFixture('alice', { title: `Alice submitted ${stamp}`, status: 'submitted', scheduledFor: '2091-05-20', checklist: answered }),
    inspectionFixture('sam', { title: `Alice assigned ${stamp}`, assignedTo: 'alice', scheduledFor: '2091-05-10' }),
    inspectionFixture('bob', { title: `Bob approved ${stamp}`, status: 'approved', scheduledFor: '2091-05-15', checklist: answered }),
    inspectionFixture('bob', { title: `Bob earlier ${stamp}`, scheduledFor: '2091-04-30' }),
  ];
  await hub.bulk({ docs });

  await page.getByTestId('nav-supervisor').click();
  await page.getByTestId('nav-team').click();
  await expect(page).toHaveURL(/\/supervisor\/team$/);
  await page.getByTestId('team-from').fill('2091-05-01');
  await page.getByTestId('team-to').fill('2091-05-31');
  const rows = page.getByTestId('team-row');
  // The latest scheduled first; another inspector's and a supervisor's inspections too.
  await expect(rows).toHaveText([/Alice submitted/, /Bob approved/, /Alice assigned/]);

  await pick(page, 'team-inspector', 'alice');
  await expect(rows).toHaveText([/Alice submitted/, /Alice assigned/]);
  await pick(page, 'team-status', 'Submitted');
  await expect(rows).toHaveText([/Alice submitted/]);
  await expect(rows.getByTestId('team-row-status')).toHaveText('Submitted');

  // A row opens the review; back, the same filter.
  await rows.click();
  await expect(page.getByTestId('review-heading')).toHaveText(`Alice submitted ${stamp}`);
  await page.goBack();
  await expect(page).toHaveURL(/inspector=alice/);
  await expect(rows).toHaveText([/Alice submitted/]);
});
