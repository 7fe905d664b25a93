package androidx.work;

// developer.android.com/reference/androidx/work/ExistingPeriodicWorkPolicy: KEEP keeps the work
// already enqueued under the name.
public enum ExistingPeriodicWorkPolicy {
  KEEP,
  UPDATE
}
