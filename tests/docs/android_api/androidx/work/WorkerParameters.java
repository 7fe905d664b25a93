package androidx.work;

// developer.android.com/reference/androidx/work/WorkerParameters: a constructor parameter here.
public final class WorkerParameters {}
