# Consecutive authentication failures per account: when to lock (FIA_AFL.1),
# when the lock expires, and when a burst of failures inside a time window is
# an attack worth its own record (Fuji Xerox "Detected continuous
# Authentication Fail"). Pure bookkeeping; events.py turns verdicts into
# audit records. Bounded: at most `max_accounts` accounts are tracked, the
# stalest forgotten first, so a name-spraying attacker cannot exhaust RAM.


class FailureCounter:
    def __init__(self, threshold=5, lock_seconds=300, detect_threshold=10, window_seconds=60, max_accounts=16):
        if threshold < 1 or detect_threshold < 1:
            raise ValueError("failure thresholds must be at least 1")
        self.threshold = threshold
        self.lock_seconds = lock_seconds
        self.detect_threshold = detect_threshold
        self.window_seconds = window_seconds
        self.max_accounts = max_accounts
        # account -> [consecutive failures, locked until (s, 0 = not locked), window start (s), failures in window]
        self._accounts = {}
        self._order = []   # accounts, least recently touched first

    def _entry(self, account):
        entry = self._accounts.get(account)
        if entry is None:
            if len(self._order) >= self.max_accounts:
                del self._accounts[self._order.pop(0)]
            entry = [0, 0, 0, 0]
            self._accounts[account] = entry
        else:
            self._order.remove(account)
        self._order.append(account)
        return entry

    def failures(self, account):
        entry = self._accounts.get(account)
        return entry[0] if entry else 0

    def is_locked(self, account, now_s):
        entry = self._accounts.get(account)
        return bool(entry and entry[1] and now_s < entry[1])

    def failed(self, account, now_s):
        """Count one failure. Returns (locked_now, detected_now, consecutive, in_window)."""
        entry = self._entry(account)
        entry[0] += 1
        if now_s - entry[2] >= self.window_seconds or not entry[3]:
            entry[2], entry[3] = now_s, 0
        entry[3] += 1
        locked_now = entry[0] == self.threshold and not entry[1]
        if locked_now:
            entry[1] = now_s + self.lock_seconds
        detected_now = entry[3] == self.detect_threshold
        return locked_now, detected_now, entry[0], entry[3]

    def succeeded(self, account):
        entry = self._accounts.get(account)
        if entry:
            entry[0] = 0
            entry[3] = 0

    def expire(self, now_s):
        """Accounts whose lock ended by now_s, as [(account, failures)], and unlock them."""
        ended = []
        for account in list(self._order):
            entry = self._accounts[account]
            if entry[1] and now_s >= entry[1]:
                ended.append((account, entry[0]))
                entry[0], entry[1] = 0, 0
        return ended
