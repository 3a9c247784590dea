/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * initguid.h - include before the headers whose GUIDs this translation
 * unit should define rather than declare (guiddef.h says how that links).
 */
#define INITGUID
#include "guiddef.h"
