import { API_REASONS, ruleReason, USER_REASONS, type UserReason } from '../../../domain/api-reasons';
import { passwordProblem } from '../../../domain/password-rule';
import { partnerNameProblem, userNameProblem } from '../../../domain/user-name';
import { apiReasonMessage } from './api-reason-messages';

describe('apiReasonMessage', () => {
  it('says each reason the proxy words in the app’s own words', () => {
    expect(apiReasonMessage(API_REASONS.notLoggedIn)).toBe('You are not signed in.');
    expect(apiReasonMessage(API_REASONS.proxyFailed)).toBe('The server failed; its log says why.');
    for (const wording of Object.values(API_REASONS)) expect(apiReasonMessage(wording)).toBeTruthy();
  });

  it('finds the name in a reason about a login, whatever the name holds', () => {
    const messages = (Object.keys(USER_REASONS) as UserReason[]).map((reason) => apiReasonMessage(USER_REASONS[reason]('o"neil.2')));
    expect(messages[0]).toBe('There is already a user “o"neil.2”.');
    for (const message of messages) expect(message).toContain('“o"neil.2”');
    expect(new Set(messages).size).toBe(messages.length);
  });

  it('says the refusals of the name and password rules, as the proxy words them, in the app’s own words', () => {
    expect(apiReasonMessage(ruleReason(partnerNameProblem('ann.lee')!))).toBe(
      'Invalid partner name “ann.lee”: use lowercase letters, digits, _ or -, starting with a letter.',
    );
    expect(apiReasonMessage(ruleReason(userNameProblem('Ann')!))).toBe(
      'Invalid user name “Ann”: use 1 to 64 lowercase letters, digits, _ . or -, starting with a letter.',
    );
    expect(apiReasonMessage(ruleReason(passwordProblem(undefined)!))).toBe('A password is required.');
    expect(apiReasonMessage(ruleReason(passwordProblem('short')!))).toBe('A password needs at least 8 characters.');
  });

  it('keeps a reason it does not know in its own words', () => {
    expect(apiReasonMessage('Only the built-in _changes filters are available.')).toBe('Only the built-in _changes filters are available.');
    // The start of a wording about a login, not its end.
    expect(apiReasonMessage('There is already a user named bob')).toBe('There is already a user named bob');
    expect(apiReasonMessage('There is already a user "".')).toBe('There is already a user "".');
  });
});
