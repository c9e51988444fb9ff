/* config_schema.h - the config's key tables: what the loader walks, --list-keys prints. */
#ifndef DDWSIM_CONFIG_SCHEMA_H
#define DDWSIM_CONFIG_SCHEMA_H

#include <stdbool.h>

#include "ddwsim/config.h"

enum cfg_section { SEC_PLATFORM, SEC_HOST, SEC_MODES, SEC_WORKLOAD, SEC_DEVICES, SEC_RUN,
		  SEC_COUNT };

extern const char *const cfg_section_names[SEC_COUNT];
extern const char cfg_section_list[];
/* Key table of a plain section; NULL for modes, workload and devices (own walkers). */
extern const struct cfg_key *const cfg_section_keys[SEC_COUNT];
extern const struct cfg_key cfg_mode_keys[];
extern const struct cfg_key cfg_window_keys[];
extern const struct cfg_key cfg_pcie_keys[];	/* platform.pcie; offsets in struct pcie_cfg */
/* A devices: item's own keys beside its workload's: count, device (offsets in struct device_cfg). */
extern const struct cfg_key cfg_device_item_keys[];

int cfg_section_find(const char *name);
bool cfg_section_includable(int s);	/* may be a file name */
bool cfg_section_required(int s);

#endif /* DDWSIM_CONFIG_SCHEMA_H */
