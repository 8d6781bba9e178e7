/*
 * A fake libnvidia-ml.so.1 for tests: implements the NVML calls Vigil's collector makes, with values from a
 * scenario file named by the FAKE_NVML_SCENARIO environment variable, read at nvmlInit_v2. One device per line:
 *
 *   device uuid=GPU-1 name=NVIDIA_H100 temp=65 slowdown=89 shutdown=92 power_mw=640000 limit_mw=700000
 *          energy_mj=1234 util=99 memutil=40 mem_total=85899345920 mem_used=1000 sm_clock=1980 mem_clock=2619
 *          reasons=0 ecc_corr=1 ecc_uncorr=0 pids=123,456 lost=0
 *
 * A key with the value "unsupported" makes its call return NVML_ERROR_NOT_SUPPORTED; lost=1 makes every call on
 * the device return NVML_ERROR_GPU_IS_LOST. Underscores in name= stand for spaces. xids=79,48 queues XID events
 * that an event set registered for the device delivers, one per nvmlEventSetWait_v2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVICES 16
#define MAX_PIDS 16
#define SUCCESS 0
#define ERR_UNINITIALIZED 1
#define ERR_INVALID_ARGUMENT 2
#define ERR_NOT_SUPPORTED 3
#define ERR_INSUFFICIENT_SIZE 7
#define ERR_GPU_IS_LOST 15
#define ERR_UNKNOWN 999
#define UNSUPPORTED -1LL

typedef struct {
    char uuid[96];
    char name[96];
    long long temp, slowdown, shutdown, power_mw, limit_mw, energy_mj, util, memutil, mem_total, mem_used,
              sm_clock, mem_clock, reasons, ecc_corr, ecc_uncorr, pcie_tx_kbps, pcie_rx_kbps,
              nvlink_tx_rate_kib, nvlink_rx_rate_kib;   /* KiB added to the NVLink counters per field read */
    unsigned long long nvlink_tx_kib, nvlink_rx_kib, field_time_us;
    unsigned long long xids[MAX_PIDS];
    int nxids;
    int registered;
    int migs;          /* MIG instances on this GPU (MIG mode on when > 0) */
    int gi;            /* for a MIG instance: its GPU instance id */
    int is_mig;
    unsigned int pids[MAX_PIDS];
    int npids;
    int lost;
} device_t;

typedef struct { unsigned int gpu; unsigned int memory; } utilization_t;
typedef struct { unsigned long long total; unsigned long long free; unsigned long long used; } memory_t;
typedef struct {
    unsigned int pid;
    unsigned long long usedGpuMemory;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} process_info_t;

static device_t devices[MAX_DEVICES];
#define MAX_MIGS 7
static device_t mig_devices[MAX_DEVICES][MAX_MIGS];
static int device_count = 0;
static int initialized = 0;

static long long value_of(const char *v) {
    return strcmp(v, "unsupported") == 0 ? UNSUPPORTED : atoll(v);
}

static void set(device_t *d, const char *key, const char *v) {
    if (!strcmp(key, "uuid")) { strncpy(d->uuid, v, sizeof d->uuid - 1); return; }
    if (!strcmp(key, "name")) {
        strncpy(d->name, v, sizeof d->name - 1);
        for (char *c = d->name; *c; c++) if (*c == '_') *c = ' ';
        return;
    }
    if (!strcmp(key, "pids")) {
        char buf[512];
        strncpy(buf, v, sizeof buf - 1);
        buf[sizeof buf - 1] = 0;
        for (char *t = strtok(buf, ","); t && d->npids < MAX_PIDS; t = strtok(NULL, ",")) d->pids[d->npids++] = atoi(t);
        return;
    }
    if (!strcmp(key, "lost")) { d->lost = atoi(v); return; }
    if (!strcmp(key, "migs")) { d->migs = atoi(v); return; }
    if (!strcmp(key, "mig_pids")) {
        /* pids of the first MIG instance: stored after the device's own pids are parsed, see nvmlInit_v2 */
        char buf[512];
        strncpy(buf, v, sizeof buf - 1);
        buf[sizeof buf - 1] = 0;
        device_t *m = &mig_devices[d - devices][0];
        for (char *t = strtok(buf, ","); t && m->npids < MAX_PIDS; t = strtok(NULL, ",")) m->pids[m->npids++] = atoi(t);
        return;
    }
    if (!strcmp(key, "xids")) {
        char buf[512];
        strncpy(buf, v, sizeof buf - 1);
        buf[sizeof buf - 1] = 0;
        for (char *t = strtok(buf, ","); t && d->nxids < MAX_PIDS; t = strtok(NULL, ",")) d->xids[d->nxids++] = atoll(t);
        return;
    }
    long long x = value_of(v);
    if (!strcmp(key, "temp")) d->temp = x;
    else if (!strcmp(key, "slowdown")) d->slowdown = x;
    else if (!strcmp(key, "shutdown")) d->shutdown = x;
    else if (!strcmp(key, "power_mw")) d->power_mw = x;
    else if (!strcmp(key, "limit_mw")) d->limit_mw = x;
    else if (!strcmp(key, "energy_mj")) d->energy_mj = x;
    else if (!strcmp(key, "util")) d->util = x;
    else if (!strcmp(key, "memutil")) d->memutil = x;
    else if (!strcmp(key, "mem_total")) d->mem_total = x;
    else if (!strcmp(key, "mem_used")) d->mem_used = x;
    else if (!strcmp(key, "sm_clock")) d->sm_clock = x;
    else if (!strcmp(key, "mem_clock")) d->mem_clock = x;
    else if (!strcmp(key, "reasons")) d->reasons = x;
    else if (!strcmp(key, "ecc_corr")) d->ecc_corr = x;
    else if (!strcmp(key, "ecc_uncorr")) d->ecc_uncorr = x;
    else if (!strcmp(key, "pcie_tx_kbps")) d->pcie_tx_kbps = x;
    else if (!strcmp(key, "pcie_rx_kbps")) d->pcie_rx_kbps = x;
    else if (!strcmp(key, "nvlink_tx_rate_kib")) d->nvlink_tx_rate_kib = x;
    else if (!strcmp(key, "nvlink_rx_rate_kib")) d->nvlink_rx_rate_kib = x;
}

int nvmlInit_v2(void) {
    const char *path = getenv("FAKE_NVML_SCENARIO");
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f) return ERR_UNKNOWN;
    char line[4096];
    device_count = 0;
    while (fgets(line, sizeof line, f) && device_count < MAX_DEVICES) {
        if (strncmp(line, "device", 6) != 0) continue;
        device_t *d = &devices[device_count++];
        memset(d, 0, sizeof *d);
        memset(mig_devices[d - devices], 0, sizeof mig_devices[0]);
        char *save = NULL;
        for (char *tok = strtok_r(line + 6, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
            char *eq = strchr(tok, '=');
            if (!eq) continue;
            *eq = 0;
            set(d, tok, eq + 1);
        }
        for (int m = 0; m < d->migs && m < MAX_MIGS; m++) {
            device_t *c = &mig_devices[d - devices][m];
            snprintf(c->uuid, sizeof c->uuid, "MIG-%s-%d", d->uuid, m);
            strncpy(c->name, d->name, sizeof c->name - 1);
            c->is_mig = 1;
            c->gi = m + 1;
            c->mem_total = d->mem_total / d->migs;
            c->mem_used = c->mem_total / 2;
        }
    }
    fclose(f);
    initialized = 1;
    return SUCCESS;
}

int nvmlShutdown(void) { initialized = 0; return SUCCESS; }

const char *nvmlErrorString(int result) {
    switch (result) {
        case SUCCESS: return "Success";
        case ERR_NOT_SUPPORTED: return "Not Supported";
        case ERR_GPU_IS_LOST: return "GPU is lost";
        case ERR_INSUFFICIENT_SIZE: return "Insufficient Size";
        default: return "Unknown Error";
    }
}

int nvmlDeviceGetCount_v2(unsigned int *count) {
    if (!initialized) return ERR_UNINITIALIZED;
    *count = device_count;
    return SUCCESS;
}

int nvmlDeviceGetHandleByIndex_v2(unsigned int index, device_t **handle) {
    if (!initialized) return ERR_UNINITIALIZED;
    if (index >= (unsigned int) device_count) return ERR_INVALID_ARGUMENT;
    *handle = &devices[index];
    return SUCCESS;
}

#define CHECK(d) do { if (!initialized) return ERR_UNINITIALIZED; if ((d)->lost) return ERR_GPU_IS_LOST; } while (0)
#define GET_UINT(d, field, out) do { CHECK(d); if ((d)->field == UNSUPPORTED) return ERR_NOT_SUPPORTED; \
    *(out) = (unsigned int) (d)->field; return SUCCESS; } while (0)
#define GET_ULL(d, field, out) do { CHECK(d); if ((d)->field == UNSUPPORTED) return ERR_NOT_SUPPORTED; \
    *(out) = (unsigned long long) (d)->field; return SUCCESS; } while (0)

int nvmlDeviceGetUUID(device_t *d, char *buf, unsigned int len) {
    CHECK(d);
    if (strlen(d->uuid) + 1 > len) return ERR_INSUFFICIENT_SIZE;
    strcpy(buf, d->uuid);
    return SUCCESS;
}

int nvmlDeviceGetName(device_t *d, char *buf, unsigned int len) {
    CHECK(d);
    if (strlen(d->name) + 1 > len) return ERR_INSUFFICIENT_SIZE;
    strcpy(buf, d->name);
    return SUCCESS;
}

int nvmlDeviceGetTemperature(device_t *d, int sensor, unsigned int *t) { (void) sensor; GET_UINT(d, temp, t); }

int nvmlDeviceGetTemperatureThreshold(device_t *d, int type, unsigned int *t) {
    if (type == 0) GET_UINT(d, shutdown, t);
    if (type == 1) GET_UINT(d, slowdown, t);
    CHECK(d);
    return ERR_NOT_SUPPORTED;
}

int nvmlDeviceGetPowerUsage(device_t *d, unsigned int *mw) { GET_UINT(d, power_mw, mw); }
int nvmlDeviceGetEnforcedPowerLimit(device_t *d, unsigned int *mw) { GET_UINT(d, limit_mw, mw); }
int nvmlDeviceGetTotalEnergyConsumption(device_t *d, unsigned long long *mj) { GET_ULL(d, energy_mj, mj); }
int nvmlDeviceGetCurrentClocksEventReasons(device_t *d, unsigned long long *r) { GET_ULL(d, reasons, r); }

int nvmlDeviceGetUtilizationRates(device_t *d, utilization_t *u) {
    CHECK(d);
    if (d->util == UNSUPPORTED) return ERR_NOT_SUPPORTED;
    u->gpu = (unsigned int) d->util;
    u->memory = (unsigned int) d->memutil;
    return SUCCESS;
}

int nvmlDeviceGetMemoryInfo(device_t *d, memory_t *m) {
    CHECK(d);
    if (d->mem_total == UNSUPPORTED) return ERR_NOT_SUPPORTED;
    m->total = d->mem_total;
    m->used = d->mem_used;
    m->free = d->mem_total - d->mem_used;
    return SUCCESS;
}

int nvmlDeviceGetClockInfo(device_t *d, int type, unsigned int *mhz) {
    if (type == 1) GET_UINT(d, sm_clock, mhz);
    if (type == 2) GET_UINT(d, mem_clock, mhz);
    CHECK(d);
    return ERR_NOT_SUPPORTED;
}

int nvmlDeviceGetTotalEccErrors(device_t *d, int errorType, int counterType, unsigned long long *count) {
    (void) counterType;
    if (errorType == 0) GET_ULL(d, ecc_corr, count);
    GET_ULL(d, ecc_uncorr, count);
}

int nvmlDeviceGetComputeRunningProcesses_v3(device_t *d, unsigned int *count, process_info_t *infos) {
    CHECK(d);
    if (*count < (unsigned int) d->npids) {
        *count = d->npids;
        return d->npids == 0 ? SUCCESS : ERR_INSUFFICIENT_SIZE;
    }
    for (int i = 0; i < d->npids; i++) {
        infos[i].pid = d->pids[i];
        infos[i].usedGpuMemory = 1ULL << 30;
        infos[i].gpuInstanceId = 0xFFFFFFFF;
        infos[i].computeInstanceId = 0xFFFFFFFF;
    }
    *count = d->npids;
    return SUCCESS;
}

int nvmlDeviceGetPcieThroughput(device_t *d, int counter, unsigned int *kbps) {
    if (counter == 0) GET_UINT(d, pcie_tx_kbps, kbps);
    GET_UINT(d, pcie_rx_kbps, kbps);
}

/* Event sets: one global set is enough for the tests. */
typedef struct {
    device_t *device;
    unsigned long long eventType;
    unsigned long long eventData;
    unsigned int gpuInstanceId;
    unsigned int computeInstanceId;
} event_data_t;

static int the_set = 1;
#define EVENT_XID 0x8ULL
#define ERR_TIMEOUT 10

int nvmlEventSetCreate(int **set) {
    if (!initialized) return ERR_UNINITIALIZED;
    *set = &the_set;
    return SUCCESS;
}

int nvmlDeviceRegisterEvents(device_t *d, unsigned long long types, int *set) {
    (void) set;
    CHECK(d);
    if (!(types & EVENT_XID)) return ERR_NOT_SUPPORTED;
    d->registered = 1;
    return SUCCESS;
}

int nvmlEventSetWait_v2(int *set, event_data_t *data, unsigned int timeoutMs) {
    (void) set; (void) timeoutMs;
    for (int i = 0; i < device_count; i++) {
        device_t *d = &devices[i];
        if (d->registered && d->nxids > 0) {
            data->device = d;
            data->eventType = EVENT_XID;
            data->eventData = d->xids[0];
            data->gpuInstanceId = 0xFFFFFFFF;
            data->computeInstanceId = 0xFFFFFFFF;
            memmove(d->xids, d->xids + 1, (d->nxids - 1) * sizeof d->xids[0]);
            d->nxids--;
            return SUCCESS;
        }
    }
    return ERR_TIMEOUT;
}

int nvmlEventSetFree(int *set) { (void) set; return SUCCESS; }

#define ERR_NOT_FOUND 6

int nvmlDeviceGetMigMode(device_t *d, unsigned int *current, unsigned int *pending) {
    CHECK(d);
    *current = d->migs > 0;
    *pending = *current;
    return SUCCESS;
}

int nvmlDeviceGetMaxMigDeviceCount(device_t *d, unsigned int *count) {
    CHECK(d);
    *count = d->migs > 0 ? MAX_MIGS : 0;
    return SUCCESS;
}

int nvmlDeviceGetMigDeviceHandleByIndex(device_t *d, unsigned int index, device_t **mig) {
    CHECK(d);
    if (index >= (unsigned int) d->migs) return ERR_NOT_FOUND;
    *mig = &mig_devices[d - devices][index];
    return SUCCESS;
}

int nvmlDeviceGetGpuInstanceId(device_t *mig, unsigned int *id) {
    if (!mig->is_mig) return ERR_INVALID_ARGUMENT;
    *id = mig->gi;
    return SUCCESS;
}

/* Field values: the NVLink throughput counters (KiB, cumulative over all links with scopeId UINT_MAX). Each call
 * advances the fake clock by one second and the counters by their per-read rate. */
typedef struct {
    unsigned int fieldId;
    unsigned int scopeId;
    long long timestamp;
    long long latencyUsec;
    unsigned int valueType;
    int nvmlReturn;
    unsigned long long value;
} field_value_t;

#define FI_NVLINK_THROUGHPUT_DATA_TX 138
#define FI_NVLINK_THROUGHPUT_DATA_RX 139

int nvmlDeviceGetFieldValues(device_t *d, int count, field_value_t *values) {
    CHECK(d);
    d->field_time_us += 1000000ULL;
    d->nvlink_tx_kib += d->nvlink_tx_rate_kib > 0 ? d->nvlink_tx_rate_kib : 0;
    d->nvlink_rx_kib += d->nvlink_rx_rate_kib > 0 ? d->nvlink_rx_rate_kib : 0;
    for (int i = 0; i < count; i++) {
        values[i].timestamp = (long long) d->field_time_us;
        values[i].latencyUsec = 0;
        values[i].valueType = 3; /* unsigned long long */
        if (d->nvlink_tx_rate_kib == UNSUPPORTED) {
            values[i].nvmlReturn = ERR_NOT_SUPPORTED;
        } else if (values[i].fieldId == FI_NVLINK_THROUGHPUT_DATA_TX) {
            values[i].nvmlReturn = SUCCESS;
            values[i].value = d->nvlink_tx_kib;
        } else if (values[i].fieldId == FI_NVLINK_THROUGHPUT_DATA_RX) {
            values[i].nvmlReturn = SUCCESS;
            values[i].value = d->nvlink_rx_kib;
        } else {
            values[i].nvmlReturn = ERR_NOT_SUPPORTED;
        }
    }
    return SUCCESS;
}
