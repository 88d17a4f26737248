namespace Keycloak.Tests;

public class SmokeTests
{
    [Fact]
    public void Placeholder_until_real_tests_land() => Assert.True(true);

    [Fact]
    public void Skips_visibly() => Assert.Skip("No container engine answers here.");
}
