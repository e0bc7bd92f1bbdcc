// Copyright 2013 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

//go:build go1.2
// +build go1.2

package language

import "sort"

var sortStable = sort.Stable
