using System.Runtime.CompilerServices;

namespace TestSupport;

public static class IdentityModelSwitches
{
    /// <summary>AddResourceServer sets this switch before IdentityModel reads it; here the in-process IdP reads it first, so set it as early.</summary>
    // CA2255: a library's module initializer is exactly what is needed: it runs before any type of this library is used.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void AsInAResourceServerProcess() => AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
}
