import { expect, test } from '@playwright/test';
import { expectSyncState, logIn, pick } from './support/app-actions';
import { DEMO_PASSWORD } from './support/e2e-env';

/** Server-side replication jobs carry assignments into alice's database and her work into the hub. */
const REPLICATION_MS = 20_000;

test('a supervisor assigns an inspection, the inspector answers every item and submits it (read-only from then), the supervisor approves and shares it, it stays locked and reaches the partner', async ({
  browser,
}) => {
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
  await alice.getByTestId('severity-3').click();
  await alice.getByTestId('save-defect').click();
  await expect(alice).toHaveURL(/\/defects\/defect:/);
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

  const submitted = sam.getByTestId('submitted-row').filter({ hasText: title });
  await expect(submitted).toBeVisible({ timeout: REPLICATION_MS });
  await sam.getByTestId('review-comment').fill('Looks good');
  await pick(sam, 'review-partners', 'acme');
  await submitted.getByTestId('approve').click();
  await expect(submitted).toHaveCount(0);

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
  await expect
    .poll(
      async () => {
        const response = await sam.request.get('/db/partner-acme/_all_docs?include_docs=true', { headers: acme });
        const { rows } = (await response.json()) as { rows: { doc: { title: string; status: string; partners?: string[] } }[] };
        return rows.map(({ doc }) => doc).find((doc) => doc.title === title) ?? null;
      },
      { timeout: REPLICATION_MS },
    )
    .toEqual(expect.objectContaining({ status: 'approved', partners: ['acme'] }));

  await samContext.close();
  await aliceContext.close();
});
