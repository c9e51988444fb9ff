/*
 * config_print.c - the effective parameters, for the report: every scalar
 * of the schema tables, walked in table order, with its value as text, its
 * unit, and where it came from (file:line:col, --set, or the default's
 * source from config_schema.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ddwsim/config.h"
#include "ddwsim/synth.h"
#include "config_int.h"

/* "4K 64K 2M" for a mask of page shifts. */
static void format_page_list(uint64_t mask, char *buf, size_t n)
{
	char tmp[32];

	snprintf(buf, n, "%s", mask ? "" : "none");
	for (unsigned s = 0; s < 64; s++) {
		if (!(mask & (1ull << s)))
			continue;
		strncat(buf, buf[0] ? " " : "", n - strlen(buf) - 1);
		strncat(buf, config_size_str(1ull << s, tmp, sizeof(tmp)), n - strlen(buf) - 1);
	}
}

/* Value of key k in the struct at base, as the report prints it. */
static void format_value(const struct cfg_key *k, const void *base, char *buf, size_t n)
{
	const void *p = (const char *)base + k->off;

	switch (k->type) {
	case CFG_U32:
		snprintf(buf, n, "%u", *(const unsigned *)p);
		break;
	case CFG_U64:
		snprintf(buf, n, *(const uint64_t *)p > 0xffffff ? "0x%llx" : "%llu",
			 (unsigned long long)*(const uint64_t *)p);
		break;
	case CFG_SIZE:
	case CFG_SIZE_RAM:
		if (k->type == CFG_SIZE_RAM && *(const uint64_t *)p == SIZE_RAM)
			snprintf(buf, n, "ram");	/* left unresolved (host.vfio_map_size) */
		else
			config_size_str(*(const uint64_t *)p, buf, n);
		break;
	case CFG_PAGE:
		config_size_str(1ull << *(const unsigned *)p, buf, n);
		break;
	case CFG_PAGE_LIST:
		format_page_list(*(const uint64_t *)p, buf, n);
		break;
	case CFG_BOOL:
		snprintf(buf, n, "%s", *(const bool *)p ? "true" : "false");
		break;
	case CFG_ENUM:
		snprintf(buf, n, "%s", k->enums[*(const int *)p]);
		break;
	case CFG_STR:
		snprintf(buf, n, "%s", (const char *)p);
		break;
	case CFG_MAP:
		buf[0] = '\0';
		break;
	}
}

static void params_of(const struct config *cfg, const struct cfg_key *tab, const void *base,
		      const char *path, config_param_fn fn, void *arg)
{
	char kp[PATH_MAX_LEN], val[256];

	for (const struct cfg_key *k = tab; k->name; k++) {
		const char *o;

		cfg_key_path(kp, sizeof(kp), path, k->name);
		if (k->type == CFG_MAP) {
			params_of(cfg, k->sub, (const char *)base + k->off, kp, fn, arg);
			continue;
		}
		format_value(k, base, val, sizeof(val));
		o = cfg_origin_of(cfg, kp);
		fn(arg, kp, val, k->unit ? k->unit : "",
		   !strcmp(o, "default") && k->src ? k->src : o, k->assumed);
	}
}

/* Each devices: item: its generator, count, link and the generator's parameters. */
static void devices_params(const struct config *cfg, config_param_fn fn, void *arg)
{
	char path[64], kp[96];

	for (unsigned i = 0; i < cfg->ndevitems; i++) {
		const struct device_cfg *d = &cfg->devices[i];
		const struct synth_gen *gen = synth_find(d->generator);

		snprintf(path, sizeof(path), "devices[%u]", i);
		snprintf(kp, sizeof(kp), "%s.generator", path);
		fn(arg, kp, d->generator, "", cfg_origin_of(cfg, kp), false);
		params_of(cfg, cfg_device_item_keys, d, path, fn, arg);
		if (gen)
			params_of(cfg, gen->keys, d->params, path, fn, arg);
	}
}

void config_params(const struct config *cfg, config_param_fn fn, void *arg)
{
	const void *bases[SEC_COUNT] = {
		[SEC_PLATFORM] = &cfg->platform, [SEC_HOST] = &cfg->host, [SEC_RUN] = &cfg->run,
	};
	const struct synth_gen *gen = synth_find(cfg->workload.generator);
	char path[64];

	for (int s = 0; s < SEC_COUNT; s++)
		if (cfg_section_keys[s])
			params_of(cfg, cfg_section_keys[s], bases[s], cfg_section_names[s], fn, arg);
	for (unsigned i = 0; i < cfg->nmodes; i++) {
		snprintf(path, sizeof(path), "modes[%u]", i);
		params_of(cfg, cfg_mode_keys, &cfg->modes[i], path, fn, arg);
		snprintf(path, sizeof(path), "modes[%u].window", i);
		params_of(cfg, cfg_window_keys, &cfg->modes[i], path, fn, arg);
	}
	if (cfg->ndevitems) {
		devices_params(cfg, fn, arg);
	} else if (gen) {
		fn(arg, "workload.generator", gen->name, "", cfg_origin_of(cfg, "workload.generator"), false);
		params_of(cfg, gen->keys, cfg->workload.params, "workload", fn, arg);
	} else {
		fn(arg, "workload.trace", cfg->workload.trace, "", cfg_origin_of(cfg, "workload.trace"), false);
	}
}
