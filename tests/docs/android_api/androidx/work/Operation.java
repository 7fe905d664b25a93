package androidx.work;

// developer.android.com/reference/androidx/work/Operation: what enqueue calls return.
public interface Operation {}
