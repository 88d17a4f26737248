using System.Runtime.CompilerServices;
using TestSupport;

namespace ResourceServer.Tests.Infrastructure;

internal static class TestAssemblySetup
{
    /// <summary>IdentityModel reads its switches once; a test that touches it before any host is built must not fix them too early.</summary>
#pragma warning disable CA2255 // A test assembly's initializer is the one place that runs before every test.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize() => IdentityModelSwitches.AsInAResourceServerProcess();
}
