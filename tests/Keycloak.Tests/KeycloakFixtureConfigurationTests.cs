using System.Text.Json.Nodes;

namespace Keycloak.Tests;

/// <summary>The fixture's choices that do not need a running engine: where ports are published, which address names Keycloak.</summary>
public sealed class KeycloakFixtureConfigurationTests
{
    [Theory]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("unix:///run/user/1000/podman/podman.sock")]
    [InlineData("npipe://./pipe/docker_engine")]
    [InlineData("tcp://localhost:2375")]
    [InlineData("tcp://127.0.0.1:2375")]
    public void A_local_engine_publishes_Keycloak_on_loopback_only(string engine)
    {
        Assert.Equal("127.0.0.1", KeycloakFixture.BindAddress(new Uri(engine)));
    }

    [Fact]
    public void A_remote_engine_publishes_on_its_interfaces_because_its_loopback_is_unreachable_from_here()
    {
        Assert.Equal("", KeycloakFixture.BindAddress(new Uri("tcp://docker.example:2376")));
    }

    [Fact]
    public void Base_address_is_the_host_and_port_the_engine_reports()
    {
        Assert.Equal(new Uri("http://docker.example:49153/"), KeycloakFixture.BaseAddressOf("docker.example", 49153));
    }

    [Fact]
    public void Frontend_url_is_the_base_address_and_keeps_the_realms_other_attributes()
    {
        var realm = new JsonObject { ["realm"] = "m2m", ["attributes"] = new JsonObject { ["other"] = "kept" } };

        KeycloakFixture.WithFrontendUrl(realm, new Uri("http://127.0.0.1:49153/"));

        Assert.Equal("http://127.0.0.1:49153", (string?)realm["attributes"]!["frontendUrl"]);
        Assert.Equal("kept", (string?)realm["attributes"]!["other"]);
    }
}
