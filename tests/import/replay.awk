# replay.awk - an independent count of what import_qemu should write for a QEMU
# spapr_iommu log with default windows only (4 KiB TCEs), such as ddw-off:
#   awk -f tests/import/replay.awk LOG
# It applies the importer's rules in a second implementation, counting only
# (no op order, no element lists):
# - SLOF's lines (before a window's first clear starting at TCE 0) are skipped.
# - A put with tce != 0 or an indirect (iobaN + 1 TCEs) is a map hypercall. It
#   extends the open group of its device and thread when it is on the same
#   LIOBN, with the same permission, starts at the TCE after the group's last,
#   and the group has fewer than 4096 elements; else it closes that group and
#   opens a new one. A group closes at 4096 elements, on an xlate inside it,
#   and on a clear touching it. A group of one element is a map, else a map_sg.
# - A stuff clears [ioba - npages * 4096, ioba), a put or indirect of 0 its
#   TCEs; a group is unmapped once all its TCEs are cleared. A stuff that
#   leaves a group partly mapped counts as partial; the TCEs it took are the
#   group's ghosts.
# - A map hypercall over a ghost splits its group: an unmap, and one new map
#   per run of TCEs the group still holds (counted in maps and splits).
# - An xlate is a dma in a live mapping, else a dmab.
# Prints maps (map + map_sg ops), map_sgs, elements (of the map_sgs, splits
# not included), unmaps, dmas, dmabs, firmware, partial, splits.
# mawk-safe: hex is parsed by hand (exact below 2^53).
function hex(s,   i, v) {
	v = 0; s = tolower(s); sub(/^0x/, "", s)
	for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
	return v
}
function val(f) { sub(/^[a-zA-Z]+=/, "", f); return f }
function dev_of(L) { return substr(L, 1, length(L) - 2) }	# the LIOBN without its window byte
function close_group(g) {
	if ((g in gopen) && open[gkey[g]] == g) delete open[gkey[g]]
	delete gopen[g]
	if (gn[g] > 1) { map_sgs++; elements += gn[g] }
}
# clears TCE p of LIOBN L; returns the group it left (0: none)
function clear_page(L, p,   g, q) {
	if (!((L, p) in own)) return 0
	g = own[L, p]; delete own[L, p]
	if (g in gopen) close_group(g)
	if (--left[g] == 0) {
		unmaps++
		for (q = gfirst[g]; q < gnext[g]; q++) if ((L, q) in ghost && ghost[L, q] == g) delete ghost[L, q]
	} else {
		ghost[L, p] = g
	}
	return g
}
function split_group(L, g,   p, a, ng) {
	splits++; unmaps++
	for (p = gfirst[g]; p < gnext[g]; p++) if ((L, p) in ghost && ghost[L, p] == g) delete ghost[L, p]
	p = gfirst[g]
	while (p < gnext[g]) {
		if (!((L, p) in own) || own[L, p] != g) { p++; continue }
		ng = ++id; maps++; gfirst[ng] = p; gn[ng] = 1
		for (a = p; p < gnext[g] && (L, p) in own && own[L, p] == g; p++) own[L, p] = ng
		gnext[ng] = p; left[ng] = p - a
	}
}
{
	ev = $1; sub(/^[^:]*:/, "", ev)
	if (ev !~ /^spapr_iommu_(pci_put|pci_indirect|pci_stuff|xlate)$/) next
	tid = $1; sub(/@.*/, "", tid)
	L = val($2)
	if (ev == "spapr_iommu_pci_stuff") {
		n = val($5) + 0; first = hex(val($3)) / 4096 - n
		if (!(L in linux)) { if (first == 0) linux[L] = 1; else { fw++; next } }
		nh = 0
		for (p = first; p < first + n; p++) if ((g = clear_page(L, p)) && !(g in hit)) { hit[g] = 1; order[++nh] = g }
		for (k = 1; k <= nh; k++) { if (left[order[k]] > 0) partial++; delete hit[order[k]] }
		next
	}
	if (!(L in linux)) {
		# a put or indirect of 0 from TCE 0 is the kernel's first clear (multitce=off)
		if (ev != "spapr_iommu_xlate" && hex(val($3)) == 0 && hex(val(ev == "spapr_iommu_pci_put" ? $4 : $6)) % 4 == 0) linux[L] = 1
		else { fw++; next }
	}
	if (ev == "spapr_iommu_xlate") {
		p = int(hex($3) / 4096)
		if ((L, p) in own) { dma++; g = own[L, p]; if (g in gopen) close_group(g) } else dmab++
		next
	}
	p = hex(val($3)) / 4096
	if (ev == "spapr_iommu_pci_put") { n = 1; perm = hex(val($4)) % 4 }
	else { n = hex(val($5)) + 1; perm = hex(val($6)) % 4 }
	if (perm == 0) { for (k = 0; k < n; k++) clear_page(L, p + k); next }
	didsplit = 0
	for (k = 0; k < n; k++) if ((L, p + k) in ghost) { split_group(L, ghost[L, p + k]); didsplit = 1 }
	for (k = 0; k < n; k++) if ((L, p + k) in own) { overw++; g = own[L, p + k]; if (g in gopen) close_group(g); delete own[L, p + k]; if (--left[g] == 0) unmaps++ }
	key = dev_of(L) SUBSEP tid
	g = (key in open) ? open[key] : 0
	if (g && !didsplit && gL[g] == L && gperm[g] == perm && gnext[g] == p && gn[g] < 4096) {
		gn[g]++; gnext[g] += n; left[g] += n
	} else {
		if (g) close_group(g)
		g = ++id; maps++; gL[g] = L; gperm[g] = perm; gfirst[g] = p; gnext[g] = p + n
		gn[g] = 1; left[g] = n; gkey[g] = key; gopen[g] = 1; open[key] = g
	}
	for (k = 0; k < n; k++) own[L, p + k] = g
	if (gn[g] == 4096) close_group(g)
}
END {
	for (g in gopen) if (gn[g] > 1) { map_sgs++; elements += gn[g] }
	printf "maps=%d map_sgs=%d elements=%d unmaps=%d dmas=%d dmabs=%d firmware=%d partial=%d splits=%d overwritten=%d\n",
	       maps, map_sgs, elements, unmaps, dma, dmab, fw, partial, splits, overw
}
