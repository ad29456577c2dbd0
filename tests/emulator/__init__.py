"""A local HTTPS emulator of the Azure Resource Manager and Entra ID endpoints the azureai.foundry collection uses."""
