using System.Runtime.CompilerServices;

namespace Billing.Api.Tests.Infrastructure;

internal static class IdentityModelSwitches
{
    /// <summary>
    /// AddResourceServer sets this switch, and a real Billing.Api process sets it before IdentityModel reads it.
    /// Here the in-process EmbeddedIdp touches IdentityModel first (which caches switches), so set it as early as a real process does.
    /// </summary>
    [ModuleInitializer]
    internal static void AsInABillingApiProcess() => AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
}
