// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package android.content;

import java.io.File;

// developer.android.com/reference/android/content/Context: getSystemService(Class) (API 23),
// getNoBackupFilesDir() (API 21), getApplicationContext().
public abstract class Context {
  public final <T> T getSystemService(Class<T> serviceClass) {
    throw new UnsupportedOperationException();
  }

  public abstract File getNoBackupFilesDir();

  public abstract Context getApplicationContext();
}
