using static TorchSharp.torch;

namespace SparseDsl;

/// <summary>
/// torch's global CPU generator state as plain bytes, so a resumed run draws the same dropout masks and samples as an
/// uninterrupted one. GPU generators are not captured: this runtime draws its random numbers on the CPU.
/// </summary>
internal static class RngState
{
    public static byte[] Capture()
    {
        using var state = get_rng_state();
        return state.data<byte>().ToArray();
    }

    /// <summary>Throws what libtorch throws (an <see cref="System.Runtime.InteropServices.ExternalException"/>) for bytes that are not a state.</summary>
    public static void Restore(byte[] bytes)
    {
        using var state = tensor(bytes);
        set_rng_state(state);
    }
}
