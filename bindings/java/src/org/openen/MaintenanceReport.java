// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
package org.openen;

/**
 * What {@link OpenEnClient#maintain()} did: {@code decommissioned} when a pending decommission order
 * came into force and everything was erased; {@code daysPurged} days past retention deleted.
 */
public record MaintenanceReport(boolean decommissioned, int daysPurged) {}
