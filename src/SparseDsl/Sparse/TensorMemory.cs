using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// Raw addresses of contiguous CPU tensors, for the sparse kernels that work on a tensor's memory in place.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 keeps its own pointer accessor protected, so the address comes from the same native export it
/// uses (<c>THSStorage_data_ptr</c> in LibTorchSharp, which TorchSharp has already loaded) plus the storage offset.
/// </remarks>
internal static unsafe class TensorMemory
{
    private static readonly delegate* unmanaged<IntPtr, IntPtr> StorageData = Resolve();

    /// <summary>The address of <paramref name="tensor"/>'s first element.</summary>
    /// <exception cref="ArgumentException">The tensor is not a contiguous CPU tensor of <typeparamref name="T"/>'s dtype.</exception>
    public static T* Pointer<T>(Tensor tensor, ScalarType dtype) where T : unmanaged
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"The sparse kernels run on the CPU; this tensor is on {tensor.device}.", nameof(tensor));
        if (tensor.dtype != dtype)
            throw new ArgumentException($"Expected a {dtype} tensor, got {tensor.dtype}.", nameof(tensor));
        if (!tensor.is_contiguous())
            throw new ArgumentException("The sparse kernels need contiguous tensors.", nameof(tensor));
        if (tensor.numel() == 0) return null;
        var storage = StorageData(tensor.Handle);
        if (storage == IntPtr.Zero)
            throw new InvalidOperationException("libtorch returned no storage address for a tensor.");
        return (T*)storage + tensor.storage_offset();
    }

    public static float* Floats(Tensor tensor) => Pointer<float>(tensor, ScalarType.Float32);

    public static int* Ints(Tensor tensor) => Pointer<int>(tensor, ScalarType.Int32);

    private static delegate* unmanaged<IntPtr, IntPtr> Resolve()
    {
        // Touch torch first so that TorchSharp has loaded (and, where needed, patched) its native library.
        _ = torch.get_num_threads();
        var library = NativeLibrary.Load("LibTorchSharp", typeof(torch).Assembly, null);
        return (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "THSStorage_data_ptr");
    }
}
