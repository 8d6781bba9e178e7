package io.vigil.collectors.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The NVML calls Vigil makes, bound with JNA to {@code libnvidia-ml.so.1} (the driver's own library). Every call
 * returns an {@code nvmlReturn_t}; see {@link #SUCCESS} and the error codes below.
 */
public interface NvmlLibrary extends Library {

    int SUCCESS = 0;
    int ERROR_NOT_SUPPORTED = 3;
    int ERROR_INSUFFICIENT_SIZE = 7;
    int ERROR_GPU_IS_LOST = 15;

    int TEMPERATURE_GPU = 0;
    int THRESHOLD_SHUTDOWN = 0;
    int THRESHOLD_SLOWDOWN = 1;
    int CLOCK_SM = 1;
    int CLOCK_MEM = 2;
    int ECC_CORRECTED = 0;
    int ECC_UNCORRECTED = 1;
    int VOLATILE_ECC = 0;
    int PCIE_TX_BYTES = 0;
    int PCIE_RX_BYTES = 1;
    long EVENT_TYPE_XID_CRITICAL_ERROR = 0x8L;
    int ERROR_TIMEOUT = 10;
    int ERROR_NOT_FOUND = 6;
    int FI_DEV_NVLINK_THROUGHPUT_DATA_TX = 138;
    int FI_DEV_NVLINK_THROUGHPUT_DATA_RX = 139;
    /** scopeId for the total over all NVLink links. */
    int SCOPE_ALL_LINKS = 0xFFFFFFFF;

    int nvmlInit_v2();

    int nvmlShutdown();

    String nvmlErrorString(int result);

    int nvmlDeviceGetCount_v2(IntByReference count);

    int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

    int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

    int nvmlDeviceGetName(Pointer device, byte[] name, int length);

    int nvmlDeviceGetTemperature(Pointer device, int sensor, IntByReference celsius);

    int nvmlDeviceGetTemperatureThreshold(Pointer device, int type, IntByReference celsius);

    int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetEnforcedPowerLimit(Pointer device, IntByReference milliwatts);

    int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference millijoules);

    int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

    int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

    int nvmlDeviceGetClockInfo(Pointer device, int type, IntByReference mhz);

    int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, LongByReference reasons);

    int nvmlDeviceGetTotalEccErrors(Pointer device, int errorType, int counterType, LongByReference count);

    int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference count, ProcessInfo[] infos);

    /** PCIe throughput over the last 20 ms, in KB/s. */
    int nvmlDeviceGetPcieThroughput(Pointer device, int counter, IntByReference kilobytesPerSecond);

    int nvmlDeviceGetFieldValues(Pointer device, int count, FieldValue[] values);

    int nvmlDeviceGetMigMode(Pointer device, IntByReference currentMode, IntByReference pendingMode);

    int nvmlDeviceGetMaxMigDeviceCount(Pointer device, IntByReference count);

    int nvmlDeviceGetMigDeviceHandleByIndex(Pointer device, int index, PointerByReference migDevice);

    int nvmlDeviceGetGpuInstanceId(Pointer migDevice, IntByReference id);

    int nvmlEventSetCreate(PointerByReference set);

    int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

    int nvmlEventSetWait_v2(Pointer set, EventData data, int timeoutMs);

    int nvmlEventSetFree(Pointer set);

    /** {@code nvmlFieldValue_t}; {@code value} is the union read as its unsigned-long-long member. */
    @Structure.FieldOrder({"fieldId", "scopeId", "timestamp", "latencyUsec", "valueType", "nvmlReturn", "value"})
    class FieldValue extends Structure {
        public int fieldId;
        public int scopeId;
        public long timestamp;
        public long latencyUsec;
        public int valueType;
        public int nvmlReturn;
        public long value;
    }

    /** {@code nvmlEventData_t}. */
    @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
    class EventData extends Structure {
        public Pointer device;
        public long eventType;
        public long eventData;
        public int gpuInstanceId;
        public int computeInstanceId;
    }

    /** {@code nvmlUtilization_t}. */
    @Structure.FieldOrder({"gpu", "memory"})
    class Utilization extends Structure {
        public int gpu;
        public int memory;
    }

    /** {@code nvmlMemory_t}, in bytes. */
    @Structure.FieldOrder({"total", "free", "used"})
    class Memory extends Structure {
        public long total;
        public long free;
        public long used;
    }

    /** {@code nvmlProcessInfo_t} (v2/v3 layout). */
    @Structure.FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
    class ProcessInfo extends Structure {
        public int pid;
        public long usedGpuMemory;
        public int gpuInstanceId;
        public int computeInstanceId;
    }
}
